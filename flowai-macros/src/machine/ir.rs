//! Stage 2: the syntax tree resolved into a graph of state indices. Names that do not
//! resolve are reported here (unknown states, duplicate states, missing or repeated
//! sections); what does resolve is kept, so code generation can still emit the types.

use super::parse::{Decl, EdgeDecl, Section};
use crate::case::snake;
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::Ident;

/// A resolved machine; it borrows every token from the declaration for spans.
pub(crate) struct Machine<'a> {
    pub(crate) decl: &'a Decl,
    /// Unique states in declaration order.
    pub(crate) states: Vec<StateInfo<'a>>,
    /// Index of the initial state (the first state when it was missing or unknown).
    pub(crate) initial: usize,
    pub(crate) terminal: Vec<usize>,
    /// Edges whose two ends resolved.
    pub(crate) edges: Vec<Edge<'a>>,
}

pub(crate) struct StateInfo<'a> {
    pub(crate) ident: &'a Ident,
    /// Wire name (`revision_requested`).
    pub(crate) wire: String,
}

pub(crate) struct Edge<'a> {
    pub(crate) decl: &'a EdgeDecl,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

impl<'a> Machine<'a> {
    /// Resolves `decl`; `None` only when there is nothing to generate (no states at all).
    pub(crate) fn resolve(cx: &Ctxt, decl: &'a Decl) -> Option<Self> {
        let mut states_decl: Option<&Vec<Ident>> = None;
        let mut initial_decl: Option<&Ident> = None;
        let mut terminal_decl: Option<&Vec<Ident>> = None;
        let mut edges_decl: Option<&Vec<EdgeDecl>> = None;
        for section in &decl.sections {
            let (span, word, fresh) = match section {
                Section::States(s, v) => (s, "states", replace(&mut states_decl, v)),
                Section::Initial(s, v) => (s, "initial", replace(&mut initial_decl, v)),
                Section::Terminal(s, v) => (s, "terminal", replace(&mut terminal_decl, v)),
                Section::Transitions(s, v) => (s, "transitions", replace(&mut edges_decl, v)),
            };
            if !fresh {
                cx.error_at(*span, format!("duplicate machine section `{word}`"));
            }
        }
        let name = &decl.name;
        let Some(states_decl) = states_decl else {
            cx.error_spanned_by(name, format!("machine `{name}` declares no `states`"));
            return None;
        };

        let mut states: Vec<StateInfo<'a>> = Vec::new();
        for ident in states_decl {
            if states.iter().any(|s| s.ident == ident) {
                cx.error_spanned_by(ident, format!("duplicate state `{ident}`"));
            } else {
                states.push(StateInfo {
                    ident,
                    wire: snake(&ident.to_string()),
                });
            }
        }
        let lookup = |ident: &Ident| -> Option<usize> {
            let found = states.iter().position(|s| s.ident == ident);
            if found.is_none() {
                cx.error_spanned_by(ident, format!("unknown state `{ident}`"));
            }
            found
        };

        let initial = match initial_decl {
            Some(ident) => lookup(ident).unwrap_or(0),
            None => {
                cx.error_spanned_by(
                    name,
                    format!("machine `{name}` declares no `initial` state"),
                );
                0
            }
        };
        let mut terminal = Vec::new();
        match terminal_decl {
            Some(list) => {
                for ident in list {
                    if let Some(i) = lookup(ident) {
                        if terminal.contains(&i) {
                            cx.error_spanned_by(
                                ident,
                                format!("duplicate terminal state `{ident}`"),
                            );
                        } else {
                            terminal.push(i);
                        }
                    }
                }
            }
            None => cx.error_spanned_by(
                name,
                format!("machine `{name}` declares no `terminal` state"),
            ),
        }
        let mut edges = Vec::new();
        for edge in edges_decl.into_iter().flatten() {
            let from = lookup(&edge.from);
            let to = lookup(&edge.to);
            if let (Some(from), Some(to)) = (from, to) {
                edges.push(Edge {
                    decl: edge,
                    from,
                    to,
                });
            }
        }
        Some(Machine {
            decl,
            states,
            initial,
            terminal,
            edges,
        })
    }
}

/// Sets `slot` to `value` if it is empty; false when it was already set.
fn replace<'a, T: ?Sized>(slot: &mut Option<&'a T>, value: &'a T) -> bool {
    if slot.is_some() {
        return false;
    }
    *slot = Some(value);
    true
}

/// The span of a state's declaration in `states:`.
impl StateInfo<'_> {
    pub(crate) fn span(&self) -> Span {
        self.ident.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn resolve(tokens: proc_macro2::TokenStream) -> (Option<usize>, Vec<String>) {
        let decl: Decl = syn::parse2(tokens).unwrap();
        let cx = Ctxt::new();
        let edges = Machine::resolve(&cx, &decl).map(|m| m.edges.len());
        (edges, cx.messages())
    }

    #[test]
    fn unknown_states_are_all_reported_and_their_edges_dropped() {
        let (edges, errors) = resolve(quote! {
            machine M {
                states: A, B;
                initial: Z;
                terminal: B, Y;
                transitions { A -> B: go; A -> X: lost; }
            }
        });
        assert_eq!(edges, Some(1));
        assert_eq!(
            errors,
            [
                "unknown state `Z`",
                "unknown state `Y`",
                "unknown state `X`"
            ]
        );
    }

    #[test]
    fn missing_and_repeated_sections() {
        let (_, errors) = resolve(quote! {
            machine M { states: A, A; states: B; }
        });
        assert_eq!(
            errors,
            [
                "duplicate machine section `states`",
                "duplicate state `A`",
                "machine `M` declares no `initial` state",
                "machine `M` declares no `terminal` state"
            ]
        );
    }
}
