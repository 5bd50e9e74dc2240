//! Attribute plumbing shared by the derives: walking `#[flowai(...)]`, single-use keys,
//! doc comments, and approval-rule values.

use crate::ctxt::Ctxt;
use crate::kw::{self, Symbol};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, Lit, LitStr, Meta};

/// Calls `f` on every key of every `#[flowai(...)]` in `attrs`. A key `f` does not know is
/// reported as ``unknown flowai attribute `key` `` and skipped, so parsing goes on.
pub(crate) fn each_flowai_key(
    cx: &Ctxt,
    attrs: &[Attribute],
    mut f: impl FnMut(&ParseNestedMeta) -> syn::Result<bool>,
) {
    for attr in attrs.iter().filter(|a| a.path() == kw::FLOWAI) {
        let result = attr.parse_nested_meta(|meta| {
            if f(&meta)? {
                return Ok(());
            }
            let key = meta.path.to_token_stream().to_string().replace(' ', "");
            cx.error_spanned_by(&meta.path, format!("unknown flowai attribute `{key}`"));
            skip_value(&meta)
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
}

/// Consumes `= value` or `(...)` after a key nobody reads.
pub(crate) fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
        let _: TokenStream = _content.parse()?;
    }
    Ok(())
}

/// A key that may be given once; the tokens of the first use are kept for spans.
pub(crate) struct Once<T> {
    name: Symbol,
    value: Option<(TokenStream, T)>,
}

impl<T> Once<T> {
    pub(crate) fn new(name: Symbol) -> Self {
        Self { name, value: None }
    }

    /// Records `value` given at `at`; a second use is ``duplicate flowai attribute `key` ``.
    pub(crate) fn set<A: ToTokens>(&mut self, cx: &Ctxt, at: A, value: T) {
        let tokens = at.into_token_stream();
        if self.value.is_some() {
            cx.error_spanned_by(
                tokens,
                format!("duplicate flowai attribute `{}`", self.name),
            );
        } else {
            self.value = Some((tokens, value));
        }
    }

    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, v)| v)
    }

    /// The value and the tokens of the key that set it.
    pub(crate) fn get_with_tokens(&self) -> Option<(&TokenStream, &T)> {
        self.value.as_ref().map(|(t, v)| (t, v))
    }

    pub(crate) fn take(self) -> Option<T> {
        self.value.map(|(_, v)| v)
    }

    pub(crate) fn take_with_tokens(self) -> Option<(TokenStream, T)> {
        self.value
    }
}

/// The text of the doc comments: lines trimmed, a paragraph's lines joined by spaces,
/// paragraphs by blank lines. `None` without docs.
pub(crate) fn doc_text(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path() == kw::DOC) {
        if let Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
            {
                lines.extend(s.value().split('\n').map(|l| l.trim().to_string()));
            }
        }
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

/// The `#[doc]` attributes of `attrs`, to forward to generated items.
pub(crate) fn docs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|a| a.path() == kw::DOC).collect()
}

/// An approval rule written in an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    Never,
    Always,
    /// Inherit (agent channels only): the channel is left out of the patch.
    Default,
}

/// Parses `"never"` / `"always"` (and `"default"` when `allow_default`).
pub(crate) fn parse_rule(cx: &Ctxt, lit: &LitStr, allow_default: bool) -> Option<Rule> {
    match lit.value().as_str() {
        "never" => Some(Rule::Never),
        "always" => Some(Rule::Always),
        "default" if allow_default => Some(Rule::Default),
        other => {
            let expected = if allow_default {
                kw::one_of(&["never", "always", "default"])
            } else {
                kw::one_of(&["never", "always"])
            };
            cx.error_spanned_by(
                lit,
                format!("unknown approval rule `{other}`; expected {expected}"),
            );
            None
        }
    }
}

/// The `ApprovalRule` expression of a rule.
pub(crate) fn rule_tokens(rule: Rule) -> TokenStream {
    match rule {
        Rule::Always => quote::quote!(::flowai::__private::ApprovalRule::Always),
        Rule::Never | Rule::Default => quote::quote!(::flowai::__private::ApprovalRule::Never),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn doc_text_joins_lines_and_paragraphs() {
        let item: syn::ItemStruct = parse_quote! {
            /// Search the
            /// catalog.
            ///
            /// Returns rows.
            struct S;
        };
        assert_eq!(
            doc_text(&item.attrs).unwrap(),
            "Search the catalog.\n\nReturns rows."
        );
    }

    #[test]
    fn unknown_keys_are_collected_not_fatal() {
        let item: syn::ItemStruct = parse_quote! {
            #[flowai(modle = "x", name = "ok", colour(red))]
            struct S;
        };
        let cx = Ctxt::new();
        let mut seen = Vec::new();
        each_flowai_key(&cx, &item.attrs, |meta| {
            if meta.path == kw::NAME {
                seen.push(meta.value()?.parse::<LitStr>()?.value());
                return Ok(true);
            }
            Ok(false)
        });
        assert_eq!(seen, ["ok"]);
        assert_eq!(
            cx.messages(),
            [
                "unknown flowai attribute `modle`",
                "unknown flowai attribute `colour`"
            ]
        );
    }
}
