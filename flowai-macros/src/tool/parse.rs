//! Parsing and checking of the two tool macros into their IR. The checks are small and
//! local to one attribute or one parameter, so they run as each piece is read.

use crate::attr::{self, Once, Rule};
use crate::case::{pascal, snake};
use crate::ctxt::Ctxt;
use crate::kw;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Expr, ExprLit, Fields, FnArg, Ident, ItemFn, Lit, LitStr, Path, ReturnType,
    Token, Type,
};

/// A `#[derive(Tool)]` argument struct.
pub(crate) struct ToolArgs<'a> {
    pub(crate) input: &'a DeriveInput,
    /// The tool name (the snake_case struct name stands in when it is missing, so the impl
    /// still exists beside the error).
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) approval: Approval,
    /// `idempotent` / `idempotent = bool`: the call may run again on resume.
    pub(crate) idempotent: bool,
}

pub(crate) enum Approval {
    Rule(Rule),
    /// `predicate = path`: a `fn(&Args) -> bool`, registered under the fn's name.
    Predicate(Path, String),
}

impl<'a> ToolArgs<'a> {
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Self {
        // Tool arguments are a JSON object: a struct with named fields.
        if !matches!(&input.data, Data::Struct(s) if matches!(s.fields, Fields::Named(_))) {
            cx.error_spanned_by(
                &input.ident,
                "tool arguments must be a struct with named fields",
            );
        }
        let mut name = Once::<LitStr>::new(kw::NAME);
        let mut description = Once::<LitStr>::new(kw::DESCRIPTION);
        let mut approval = Once::<(LitStr, Option<Rule>)>::new(kw::APPROVAL);
        let mut predicate = Once::<Path>::new(kw::PREDICATE);
        let mut idempotent = Once::<bool>::new(kw::IDEMPOTENT);
        attr::each_flowai_key(cx, &input.attrs, |meta| {
            let path = &meta.path;
            if path == kw::NAME {
                name.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::DESCRIPTION {
                description.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::APPROVAL {
                let lit: LitStr = meta.value()?.parse()?;
                let rule = attr::parse_rule(cx, &lit, false);
                approval.set(cx, path, (lit, rule));
            } else if path == kw::PREDICATE {
                predicate.set(cx, path, meta.value()?.parse()?);
            } else if path == kw::IDEMPOTENT {
                idempotent.set(cx, path, flag(cx, meta)?);
            } else {
                return Ok(false);
            }
            Ok(true)
        });

        let tool_name = match name.get() {
            Some(lit) => {
                check_tool_name(cx, lit);
                lit.value()
            }
            None => {
                cx.error_spanned_by(&input.ident, "missing flowai attribute `name`");
                snake(&input.ident.to_string())
            }
        };
        let description = description
            .get()
            .map(LitStr::value)
            .or_else(|| attr::doc_text(&input.attrs))
            .unwrap_or_default();
        let approval = match (approval.take_with_tokens(), predicate.take()) {
            (Some((at, _)), Some(_)) => {
                cx.error_spanned_by(
                    at,
                    "conflicting flowai attributes `approval` and `predicate`",
                );
                Approval::Rule(Rule::Always)
            }
            (_, Some(path)) => {
                let id = path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                Approval::Predicate(path, id)
            }
            (Some((_, (_, rule))), None) => Approval::Rule(rule.unwrap_or(Rule::Never)),
            (None, None) => Approval::Rule(Rule::Never),
        };
        ToolArgs {
            input,
            name: tool_name,
            description,
            approval,
            idempotent: idempotent.take().unwrap_or(false),
        }
    }
}

/// A flag key: `key` alone is `true`, `key = true` / `key = false` say so. Any other value
/// is reported (on the value) and reads as `false`.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<bool> {
    let key = meta.path.to_token_stream().to_string();
    let expected = format!("expected `{key}`, `{key} = true` or `{key} = false`");
    if meta.input.peek(Token![=]) {
        let value: Expr = meta.value()?.parse()?;
        if let Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) = &value
        {
            return Ok(b.value);
        }
        let written = value.to_token_stream().to_string();
        cx.error_spanned_by(
            &value,
            format!("`{key} = {written}` is not a bool; {expected}"),
        );
    } else if meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(&meta.path, format!("`{key}` takes no list; {expected}"));
        attr::skip_value(meta)?;
    } else {
        return Ok(true);
    }
    Ok(false)
}

/// Model providers accept tool names of 1 to 64 letters, digits, `_` and `-`.
fn check_tool_name(cx: &Ctxt, lit: &LitStr) {
    let name = lit.value();
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        cx.error_spanned_by(
            lit,
            format!("tool name `{name}` must be 1 to 64 letters, digits, `_` or `-`"),
        );
    }
}

/// An `async fn` under `#[tool]`.
pub(crate) struct ToolFn<'a> {
    pub(crate) func: &'a ItemFn,
    /// The generated unit struct (`search_products` -> `SearchProducts`).
    pub(crate) type_name: Ident,
    pub(crate) args_ty: &'a Type,
    pub(crate) takes_context: bool,
    pub(crate) output: &'a Type,
}

impl<'a> ToolFn<'a> {
    /// `None` when the signature is too broken to wrap; the errors are in `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, attr: TokenStream, func: &'a ItemFn) -> Option<Self> {
        let sig = &func.sig;
        // The definition lives on the argument struct, so the attribute takes nothing.
        if !attr.is_empty() {
            let idempotent = attr
                .clone()
                .into_iter()
                .any(|t| matches!(t, TokenTree::Ident(i) if i == kw::IDEMPOTENT.0));
            let message = if idempotent {
                "`#[tool]` takes no arguments; write `idempotent` in the argument struct's `#[flowai(...)]`"
            } else {
                "`#[tool]` takes no arguments; name and approval go on the argument struct's `#[flowai(...)]`"
            };
            cx.error_spanned_by(attr, message);
        }
        // The handler is awaited by the engine.
        if sig.asyncness.is_none() {
            cx.error_spanned_by(sig.fn_token, "a tool function must be `async`");
        }
        // One generated type per function: no generics to instantiate.
        if !sig.generics.params.is_empty() {
            cx.error_spanned_by(&sig.generics, "a tool function cannot be generic");
        }
        let mut typed = Vec::new();
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => cx.error_spanned_by(r, "a tool function cannot take `self`"),
                FnArg::Typed(pat) => typed.push(pat),
            }
        }
        // `(args)` or `(args, ctx)`.
        if typed.len() > 2 {
            cx.error_spanned_by(
                typed[2],
                "a tool function takes at most two parameters: the arguments and the context",
            );
        }
        let Some(args) = typed.first() else {
            cx.error_spanned_by(
                &sig.ident,
                "a tool function takes its argument struct as first parameter",
            );
            return None;
        };
        let output = match &sig.output {
            ReturnType::Type(_, ty) => &**ty,
            ReturnType::Default => {
                cx.error_at(
                    sig.paren_token.span.close(),
                    "a tool function must return `Result<T, E>`",
                );
                return None;
            }
        };
        Some(ToolFn {
            func,
            type_name: format_ident!(
                "{}",
                pascal(&sig.ident.to_string()),
                span = sig.ident.span()
            ),
            args_ty: &args.ty,
            takes_context: typed.len() >= 2,
            output,
        })
    }

    pub(crate) fn output_span(&self) -> Span {
        self.output.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    #[test]
    fn derive_collects_every_attribute_error() {
        let input: DeriveInput = parse_quote! {
            #[flowai(name = "bad name", approval = "sometimes", colour = "red")]
            enum E { A }
        };
        let cx = Ctxt::new();
        let args = ToolArgs::from_ast(&cx, &input);
        assert_eq!(args.name, "bad name");
        assert_eq!(
            cx.messages(),
            [
                "tool arguments must be a struct with named fields",
                "unknown approval rule `sometimes`; expected `never` or `always`",
                "unknown flowai attribute `colour`",
                "tool name `bad name` must be 1 to 64 letters, digits, `_` or `-`",
            ]
        );
    }

    #[test]
    fn predicate_becomes_a_dynamic_rule_named_after_the_fn() {
        let input: DeriveInput = parse_quote! {
            /// Refund an order.
            #[flowai(name = "refund", predicate = crate::rules::large_refund)]
            struct Refund { amount: u32 }
        };
        let cx = Ctxt::new();
        let args = ToolArgs::from_ast(&cx, &input);
        assert!(cx.messages().is_empty());
        assert_eq!(args.description, "Refund an order.");
        assert!(matches!(&args.approval, Approval::Predicate(_, id) if id == "large_refund"));
    }

    #[test]
    fn idempotent_is_a_flag_or_a_bool() {
        let read = |input: DeriveInput| {
            let cx = Ctxt::new();
            let idempotent = ToolArgs::from_ast(&cx, &input).idempotent;
            (idempotent, cx.messages())
        };
        let none: [&str; 0] = [];
        let (flag, errors) =
            read(parse_quote! { #[flowai(name = "a", idempotent)] struct A { x: u8 } });
        assert!(flag);
        assert_eq!(errors, none);
        let (yes, _) =
            read(parse_quote! { #[flowai(name = "a", idempotent = true)] struct A { x: u8 } });
        assert!(yes);
        let (no, errors) =
            read(parse_quote! { #[flowai(name = "a", idempotent = false)] struct A { x: u8 } });
        assert!(!no);
        assert_eq!(errors, none);
        let (default, _) = read(parse_quote! { #[flowai(name = "a")] struct A { x: u8 } });
        assert!(!default);
        let (bad, errors) = read(parse_quote! {
            #[flowai(name = "a", idempotent = "yes", idempotent(x))]
            #[flowai(idempotent)]
            struct A { x: u8 }
        });
        assert!(!bad);
        assert_eq!(
            errors,
            [
                "`idempotent = \"yes\"` is not a bool; expected `idempotent`, `idempotent = true` or `idempotent = false`",
                "`idempotent` takes no list; expected `idempotent`, `idempotent = true` or `idempotent = false`",
                "duplicate flowai attribute `idempotent`",
                "duplicate flowai attribute `idempotent`",
            ]
        );
    }

    #[test]
    fn tool_attribute_points_idempotent_at_the_argument_struct() {
        let func: ItemFn = parse_quote! {
            async fn fetch(a: A) -> Result<u8, String> { Ok(0) }
        };
        let cx = Ctxt::new();
        ToolFn::from_ast(&cx, quote!(idempotent), &func).unwrap();
        assert_eq!(
            cx.messages(),
            ["`#[tool]` takes no arguments; write `idempotent` in the argument struct's `#[flowai(...)]`"]
        );
    }

    #[test]
    fn tool_fn_signature_rules() {
        let func: ItemFn = parse_quote! {
            fn search(a: A, b: B, c: C) -> Result<u8, String> { Ok(0) }
        };
        let cx = Ctxt::new();
        let tool = ToolFn::from_ast(&cx, quote!(name = "x"), &func).unwrap();
        assert_eq!(tool.type_name, "Search");
        assert!(tool.takes_context);
        assert_eq!(
            cx.messages(),
            [
                "`#[tool]` takes no arguments; name and approval go on the argument struct's `#[flowai(...)]`",
                "a tool function must be `async`",
                "a tool function takes at most two parameters: the arguments and the context",
            ]
        );
    }
}
