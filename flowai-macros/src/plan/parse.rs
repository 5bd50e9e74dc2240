//! Parsing and checking of `Action` enums and `Plan` structs into their IR.

use crate::attr::{self, Once};
use crate::case::rename_variant;
use crate::ctxt::Ctxt;
use crate::kw::{self, ACTION_TAG, PLAN_STATUSES};
use syn::{
    Data, DeriveInput, Fields, GenericArgument, Ident, LitStr, PathArguments, Type, Variant,
};

/// An action enum: every variant with its wire `kind`.
pub(crate) struct Action<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) variants: Vec<(&'a Variant, String)>,
}

impl<'a> Action<'a> {
    /// `None` when the input is not an enum (nothing to generate); the error is in `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let ident = &input.ident;
        let Data::Enum(data) = &input.data else {
            cx.error_spanned_by(ident, "an action type must be an enum");
            return None;
        };
        let serde = serde_container(cx, input);
        // Plans store actions as `{"kind": ..., <payload fields>}`: internally tagged by `kind`.
        match &serde.tag {
            None => cx.error_spanned_by(
                ident,
                format!("an action enum must be tagged with `#[serde(tag = \"{ACTION_TAG}\")]`"),
            ),
            Some(tag) if tag.value() != ACTION_TAG => cx.error_spanned_by(
                tag,
                format!("action tag must be `{ACTION_TAG}`, not `{}`", tag.value()),
            ),
            Some(_) => {}
        }
        if data.variants.is_empty() {
            cx.error_spanned_by(ident, "an action enum needs at least one variant");
        }
        let mut variants: Vec<(&Variant, String)> = Vec::new();
        for variant in &data.variants {
            let kind = variant_rename(cx, variant).unwrap_or_else(|| {
                let name = variant.ident.to_string();
                serde
                    .rename_all
                    .as_ref()
                    .and_then(|rule| rename_variant(&rule.value(), &name))
                    .unwrap_or(name)
            });
            // Two variants with one kind could not be told apart.
            if variants.iter().any(|(_, k)| *k == kind) {
                cx.error_spanned_by(&variant.ident, format!("duplicate action kind `{kind}`"));
            }
            variants.push((variant, kind));
        }
        Some(Action { input, variants })
    }
}

/// The `#[serde(...)]` keys of an enum that decide the wire kinds.
struct SerdeContainer {
    tag: Option<LitStr>,
    rename_all: Option<LitStr>,
}

fn serde_container(cx: &Ctxt, input: &DeriveInput) -> SerdeContainer {
    let mut out = SerdeContainer {
        tag: None,
        rename_all: None,
    };
    for a in input.attrs.iter().filter(|a| a.path() == kw::SERDE) {
        let result = a.parse_nested_meta(|meta| {
            if meta.path == kw::TAG {
                out.tag = Some(meta.value()?.parse()?);
            } else if meta.path == kw::RENAME_ALL && meta.input.peek(syn::Token![=]) {
                let rule: LitStr = meta.value()?.parse()?;
                if rename_variant(&rule.value(), "A").is_none() {
                    cx.error_spanned_by(&rule, format!("unknown rename rule `{}`", rule.value()));
                }
                out.rename_all = Some(rule);
            } else {
                attr::skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    out
}

/// `#[serde(rename = "...")]` on a variant.
fn variant_rename(cx: &Ctxt, variant: &Variant) -> Option<String> {
    let mut rename = None;
    for a in variant.attrs.iter().filter(|a| a.path() == kw::SERDE) {
        let result = a.parse_nested_meta(|meta| {
            if meta.path == kw::RENAME && meta.input.peek(syn::Token![=]) {
                rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else {
                attr::skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    rename
}

/// A plan body.
pub(crate) struct Plan<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) name: String,
    /// `A` of `actions: Vec<A>`.
    pub(crate) action: &'a Type,
    pub(crate) actions_field: &'a Ident,
    /// `(status, alias)` in declaration order.
    pub(crate) aliases: Vec<(String, String)>,
}

impl<'a> Plan<'a> {
    /// `None` when there is no `actions: Vec<A>` to build on; the errors are in `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let ident = &input.ident;
        let mut name = Once::<LitStr>::new(kw::NAME);
        let mut aliases: Vec<(String, String)> = Vec::new();
        attr::each_flowai_key(cx, &input.attrs, |meta| {
            if meta.path == kw::NAME {
                name.set(cx, &meta.path, meta.value()?.parse()?);
            } else if meta.path == kw::DISPLAY_ALIASES {
                meta.parse_nested_meta(|alias| {
                    let status = alias
                        .path
                        .get_ident()
                        .map(Ident::to_string)
                        .unwrap_or_default();
                    let text: LitStr = alias.value()?.parse()?;
                    if !PLAN_STATUSES.contains(&status.as_str()) {
                        cx.error_spanned_by(
                            &alias.path,
                            format!(
                                "unsupported plan display status `{status}`; expected one of {}",
                                kw::one_of(&PLAN_STATUSES)
                            ),
                        );
                    } else if aliases.iter().any(|(s, _)| *s == status) {
                        cx.error_spanned_by(
                            &alias.path,
                            format!("duplicate display alias for `{status}`"),
                        );
                    } else {
                        aliases.push((status, text.value()));
                    }
                    Ok(())
                })?;
            } else {
                return Ok(false);
            }
            Ok(true)
        });
        let name = match name.get() {
            Some(lit) if lit.value().is_empty() => {
                cx.error_spanned_by(lit, "plan name must not be empty");
                ident.to_string()
            }
            Some(lit) => lit.value(),
            None => ident.to_string(),
        };

        let fields = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => &named.named,
                _ => {
                    cx.error_spanned_by(ident, "a plan must be a struct with named fields");
                    return None;
                }
            },
            _ => {
                cx.error_spanned_by(ident, "a plan must be a struct with named fields");
                return None;
            }
        };
        // `storePlan` reads the actions from the body's `actions` array.
        let Some(field) = fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "actions"))
        else {
            cx.error_spanned_by(ident, format!("plan `{name}` has no `actions` field"));
            return None;
        };
        let Some(action) = vec_item(&field.ty) else {
            cx.error_spanned_by(&field.ty, "the `actions` field must be a `Vec` of actions");
            return None;
        };
        Some(Plan {
            input,
            name,
            action,
            actions_field: field.ident.as_ref()?,
            aliases,
        })
    }
}

/// `T` of `Vec<T>` (any path ending in `Vec`).
fn vec_item(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(item) if args.args.len() == 1 => Some(item),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn kinds_follow_serde_renames() {
        let input: DeriveInput = parse_quote! {
            #[derive(Deserialize)]
            #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
            enum A { PriceChange { sku: String }, #[serde(rename = "launch")] PromotionLaunch, Noop }
        };
        let cx = Ctxt::new();
        let action = Action::from_ast(&cx, &input).unwrap();
        let kinds: Vec<&str> = action.variants.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(kinds, ["price_change", "launch", "noop"]);
        assert!(cx.messages().is_empty());
    }

    #[test]
    fn action_errors() {
        let input: DeriveInput = parse_quote! {
            #[serde(tag = "type")]
            enum A { #[serde(rename = "x")] One, #[serde(rename = "x")] Two }
        };
        let cx = Ctxt::new();
        Action::from_ast(&cx, &input);
        assert_eq!(
            cx.messages(),
            [
                "action tag must be `kind`, not `type`",
                "duplicate action kind `x`"
            ]
        );
    }

    #[test]
    fn plan_needs_a_vec_of_actions() {
        let cx = Ctxt::new();
        let input: DeriveInput = parse_quote! {
            #[flowai(display_aliases(draft = "Review", pending_approval = "x"))]
            struct P { actions: Vec<A>, note: String }
        };
        let plan = Plan::from_ast(&cx, &input).unwrap();
        assert_eq!(plan.name, "P");
        assert_eq!(plan.aliases, [("draft".to_string(), "Review".to_string())]);
        assert_eq!(
            cx.messages(),
            ["unsupported plan display status `pending_approval`; expected one of `approved`, `draft`, `executed`, `executing` or `failed`"]
        );
        let cx = Ctxt::new();
        let input: DeriveInput = parse_quote!(
            struct P {
                actions: Option<A>,
            }
        );
        assert!(Plan::from_ast(&cx, &input).is_none());
        assert_eq!(
            cx.messages(),
            ["the `actions` field must be a `Vec` of actions"]
        );
    }
}
