//! Stage 1: the `#[flowai(...)]` keys of an agent, each kept with its tokens for spans.
//! Unknown and repeated keys are reported here; the role rules are in `check`.

use crate::attr::{self, Once, Rule};
use crate::ctxt::Ctxt;
use crate::kw;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{DeriveInput, Expr, Ident, LitBool, LitInt, LitStr, Token, Type};

/// Every key an agent may set; `Once` keeps the first use and reports repeats.
pub(crate) struct Attrs {
    pub(crate) name: Once<LitStr>,
    pub(crate) role: Once<LitStr>,
    pub(crate) model: Once<Expr>,
    pub(crate) provider: Once<Expr>,
    pub(crate) prompt: Once<Expr>,
    pub(crate) routes: Once<Vec<Type>>,
    pub(crate) tools: Once<Vec<Type>>,
    pub(crate) toolkits: Once<Vec<LitStr>>,
    pub(crate) plan: Once<Type>,
    pub(crate) approval: Once<Channels>,
    pub(crate) tool_approvals: Once<Vec<(Ident, Rule)>>,
    pub(crate) stateful: Once<LitBool>,
    pub(crate) max_turns: Once<LitInt>,
}

/// `approval(plans = "...", tools = "...")`.
#[derive(Default)]
pub(crate) struct Channels {
    pub(crate) plans: Option<Rule>,
    pub(crate) tools: Option<Rule>,
}

impl Attrs {
    pub(crate) fn from_ast(cx: &Ctxt, input: &DeriveInput) -> Self {
        let mut a = Attrs {
            name: Once::new(kw::NAME),
            role: Once::new(kw::ROLE),
            model: Once::new(kw::MODEL),
            provider: Once::new(kw::PROVIDER),
            prompt: Once::new(kw::PROMPT),
            routes: Once::new(kw::ROUTES),
            tools: Once::new(kw::TOOLS),
            toolkits: Once::new(kw::TOOLKITS),
            plan: Once::new(kw::PLAN),
            approval: Once::new(kw::APPROVAL),
            tool_approvals: Once::new(kw::TOOL_APPROVALS),
            stateful: Once::new(kw::STATEFUL),
            max_turns: Once::new(kw::MAX_TURNS),
        };
        attr::each_flowai_key(cx, &input.attrs, |meta| {
            let path = &meta.path;
            if path == kw::NAME {
                a.name.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::ROLE {
                a.role.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::MODEL {
                a.model.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::PROVIDER {
                a.provider.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::PROMPT {
                a.prompt.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::ROUTES {
                a.routes.set(cx, path, list(meta)?);
            } else if path == kw::TOOLS {
                a.tools.set(cx, path, list(meta)?);
            } else if path == kw::TOOLKITS {
                a.toolkits.set(cx, path, list(meta)?);
            } else if path == kw::PLAN {
                a.plan.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::APPROVAL {
                a.approval.set(cx, path, channels(cx, meta)?);
            } else if path == kw::TOOL_APPROVALS {
                a.tool_approvals.set(cx, path, tool_rules(cx, meta)?);
            } else if path == kw::STATEFUL {
                a.stateful.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::MAX_TURNS {
                a.max_turns.set(cx, path, meta.value()?.parse()?);
            } else {
                return Ok(false);
            }
            Ok(true)
        });
        a
    }
}

/// `key(A, B, ...)`.
fn list<T: syn::parse::Parse>(meta: &ParseNestedMeta) -> syn::Result<Vec<T>> {
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(Punctuated::<T, Token![,]>::parse_terminated(&content)?
        .into_iter()
        .collect())
}

/// `approval(plans = "never", tools = "always")`; `"default"` inherits.
fn channels(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Channels> {
    let mut out = Channels::default();
    meta.parse_nested_meta(|channel| {
        let lit: LitStr = channel.value()?.parse()?;
        let rule = attr::parse_rule(cx, &lit, true);
        if channel.path == kw::PLANS {
            out.plans = rule;
        } else if channel.path == kw::TOOLS {
            out.tools = rule;
        } else {
            let key = channel
                .path
                .get_ident()
                .map(Ident::to_string)
                .unwrap_or_default();
            cx.error_spanned_by(
                &channel.path,
                format!("unknown approval channel `{key}`; expected `plans` or `tools`"),
            );
        }
        Ok(())
    })?;
    Ok(out)
}

/// `tool_approvals(search_products = "always", ...)`.
fn tool_rules(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<(Ident, Rule)>> {
    let mut out: Vec<(Ident, Rule)> = Vec::new();
    meta.parse_nested_meta(|tool| {
        let lit: LitStr = tool.value()?.parse()?;
        let Some(ident) = tool.path.get_ident() else {
            cx.error_spanned_by(&tool.path, "a tool approval names one tool");
            return Ok(());
        };
        if out.iter().any(|(i, _)| i == ident) {
            cx.error_spanned_by(ident, format!("duplicate tool approval `{ident}`"));
        } else if let Some(rule) = attr::parse_rule(cx, &lit, false) {
            out.push((ident.clone(), rule));
        }
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn reads_every_key() {
        let input: DeriveInput = parse_quote! {
            #[flowai(name = "c", role = "coordinator", model = "m", provider = "anthropic", prompt = "p")]
            #[flowai(routes(A, B), tools(T), toolkits("catalog"), plan = P, stateful = false, max_turns = 3)]
            #[flowai(approval(plans = "never", tools = "default"), tool_approvals(search = "always"))]
            struct C;
        };
        let cx = Ctxt::new();
        let a = Attrs::from_ast(&cx, &input);
        assert!(cx.messages().is_empty(), "{:?}", cx.messages());
        assert_eq!(a.routes.get().unwrap().len(), 2);
        assert_eq!(a.approval.get().unwrap().plans, Some(Rule::Never));
        assert_eq!(a.approval.get().unwrap().tools, Some(Rule::Default));
        assert_eq!(a.tool_approvals.get().unwrap()[0].1, Rule::Always);
        assert_eq!(a.max_turns.get().unwrap().base10_digits(), "3");
    }

    #[test]
    fn unknown_and_repeated_keys() {
        let input: DeriveInput = parse_quote! {
            #[flowai(modle = "m", role = "planner", role = "executor", approval(plan = "never"))]
            struct C;
        };
        let cx = Ctxt::new();
        Attrs::from_ast(&cx, &input);
        assert_eq!(
            cx.messages(),
            [
                "unknown flowai attribute `modle`",
                "duplicate flowai attribute `role`",
                "unknown approval channel `plan`; expected `plans` or `tools`",
            ]
        );
    }
}
