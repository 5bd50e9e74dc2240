//! Stage 1: the grammar of `state_machine!` into a syntax tree that keeps every token.
//!
//! ```text
//! #[attrs]* vis machine Name {
//!     states: A, B, C;
//!     initial: A;
//!     terminal: C;
//!     transitions {
//!         #[doc]* A -> B: method(evidence: Type, ...);
//!         B -> C: other;
//!     }
//! }
//! ```
//!
//! Sections may come in any order; a missing or repeated one is reported by the later
//! stages (through the `Ctxt`), so one call shows every mistake.

use crate::kw::{self, machine as word};
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{braced, parenthesized, Attribute, Ident, Token, Type, Visibility};

/// A whole declaration.
pub(crate) struct Decl {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) sections: Vec<Section>,
}

/// One `key: ...;` or `transitions { ... }` section.
pub(crate) enum Section {
    States(Span, Vec<Ident>),
    Initial(Span, Ident),
    Terminal(Span, Vec<Ident>),
    Transitions(Span, Vec<EdgeDecl>),
}

/// `#[doc]* From -> To: method(arg: Type, ...);`
pub(crate) struct EdgeDecl {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) from: Ident,
    pub(crate) arrow: Token![->],
    pub(crate) to: Ident,
    pub(crate) method: Ident,
    pub(crate) args: Vec<Evidence>,
}

/// An evidence argument of an edge: consumed by the transition method.
pub(crate) struct Evidence {
    pub(crate) name: Ident,
    pub(crate) ty: Type,
}

impl Parse for Decl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<word::machine>()?;
        let name: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let mut sections = Vec::new();
        while !body.is_empty() {
            sections.push(body.parse()?);
        }
        Ok(Decl {
            attrs,
            vis,
            name,
            sections,
        })
    }
}

impl Parse for Section {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(word::states) {
            let span = input.parse::<word::states>()?.span;
            Ok(Section::States(span, state_list(input)?))
        } else if lookahead.peek(word::initial) {
            let span = input.parse::<word::initial>()?.span;
            input.parse::<Token![:]>()?;
            let state = input.parse()?;
            input.parse::<Token![;]>()?;
            Ok(Section::Initial(span, state))
        } else if lookahead.peek(word::terminal) {
            let span = input.parse::<word::terminal>()?.span;
            Ok(Section::Terminal(span, state_list(input)?))
        } else if lookahead.peek(word::transitions) {
            let span = input.parse::<word::transitions>()?.span;
            let body;
            braced!(body in input);
            let mut edges = Vec::new();
            while !body.is_empty() {
                edges.push(body.parse()?);
            }
            Ok(Section::Transitions(span, edges))
        } else if input.peek(Ident) {
            let unknown: Ident = input.parse()?;
            Err(syn::Error::new(
                unknown.span(),
                format!(
                    "unknown machine section `{unknown}`; expected {}",
                    kw::one_of(&["states", "initial", "terminal", "transitions"])
                ),
            ))
        } else {
            Err(lookahead.error())
        }
    }
}

/// `: A, B, C;`
fn state_list(input: ParseStream) -> syn::Result<Vec<Ident>> {
    input.parse::<Token![:]>()?;
    let list = Punctuated::<Ident, Token![,]>::parse_separated_nonempty(input)?;
    input.parse::<Token![;]>()?;
    Ok(list.into_iter().collect())
}

impl Parse for EdgeDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let from = input.parse()?;
        let arrow = input.parse()?;
        let to = input.parse()?;
        input.parse::<Token![:]>()?;
        let method = input.parse()?;
        let mut args = Vec::new();
        if input.peek(syn::token::Paren) {
            let content;
            parenthesized!(content in input);
            let list = Punctuated::<Evidence, Token![,]>::parse_terminated(&content)?;
            args = list.into_iter().collect();
        }
        input.parse::<Token![;]>()?;
        Ok(EdgeDecl {
            attrs,
            from,
            arrow,
            to,
            method,
            args,
        })
    }
}

impl Parse for Evidence {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        Ok(Evidence { name, ty })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn parses_every_section_and_evidence() {
        let decl: Decl = syn::parse2(quote! {
            /// Docs.
            pub machine Plan {
                states: Draft, Approved;
                initial: Draft;
                terminal: Approved;
                transitions {
                    /// Approve it.
                    Draft -> Approved: approve(granted: crate::Granted, by: String);
                }
            }
        })
        .unwrap();
        assert_eq!(decl.name, "Plan");
        assert_eq!(decl.attrs.len(), 1);
        assert_eq!(decl.sections.len(), 4);
        let Section::Transitions(_, edges) = &decl.sections[3] else {
            panic!("transitions last")
        };
        assert_eq!(edges[0].method, "approve");
        assert_eq!(edges[0].args.len(), 2);
        assert_eq!(edges[0].args[1].name, "by");
        assert_eq!(edges[0].attrs.len(), 1);
    }

    #[test]
    fn unknown_section_names_the_word() {
        let err = syn::parse2::<Decl>(quote! {
            machine M { states: A; termnal: A; }
        })
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "unknown machine section `termnal`; expected `states`, `initial`, `terminal` or `transitions`"
        );
    }
}
