//! Stage 3: the rules a machine must satisfy, one function per rule, each error on the
//! offending state's or edge's own tokens.

use super::ir::Machine;
use crate::ctxt::Ctxt;
use crate::kw::RESERVED_METHODS;
use quote::quote;

pub(crate) fn check(cx: &Ctxt, m: &Machine) {
    terminal_states_have_no_outgoing_edge(cx, m);
    edges_are_unique(cx, m);
    methods_are_unique_per_state(cx, m);
    methods_are_not_reserved(cx, m);
    let reachable = states_are_reachable(cx, m);
    states_reach_a_terminal(cx, m, &reachable);
}

/// A terminal state ends the machine: no edge may leave it.
fn terminal_states_have_no_outgoing_edge(cx: &Ctxt, m: &Machine) {
    for edge in m.edges.iter().filter(|e| m.terminal.contains(&e.from)) {
        let from = &edge.decl.from;
        cx.error_spanned_by(
            from,
            format!("terminal state `{from}` has an outgoing transition"),
        );
    }
}

/// Each `(from, to)` pair is declared once (the run-time table maps a pair to one edge).
fn edges_are_unique(cx: &Ctxt, m: &Machine) {
    for (i, edge) in m.edges.iter().enumerate() {
        if m.edges[..i]
            .iter()
            .any(|e| e.from == edge.from && e.to == edge.to)
        {
            let (from, arrow, to) = (&edge.decl.from, &edge.decl.arrow, &edge.decl.to);
            cx.error_spanned_by(
                quote!(#from #arrow #to),
                format!("duplicate transition from `{from}` to `{to}`"),
            );
        }
    }
}

/// Two edges leaving one state cannot share a method name (both would be methods of the
/// same `Machine<From, T>`).
fn methods_are_unique_per_state(cx: &Ctxt, m: &Machine) {
    for (i, edge) in m.edges.iter().enumerate() {
        if m.edges[..i]
            .iter()
            .any(|e| e.from == edge.from && e.decl.method == edge.decl.method)
        {
            let (method, from) = (&edge.decl.method, &edge.decl.from);
            cx.error_spanned_by(
                method,
                format!("duplicate transition method `{method}` from state `{from}`"),
            );
        }
    }
}

/// Edge methods live beside the typestate's own API (`new`, `value`, ...).
fn methods_are_not_reserved(cx: &Ctxt, m: &Machine) {
    for edge in &m.edges {
        let method = &edge.decl.method;
        if RESERVED_METHODS.iter().any(|r| method == r) {
            cx.error_spanned_by(
                method,
                format!("transition method `{method}` is reserved by the typestate API"),
            );
        }
    }
}

/// Every state can be reached from the initial state. Returns the reachable set.
fn states_are_reachable(cx: &Ctxt, m: &Machine) -> Vec<bool> {
    let reachable = closure(m.states.len(), &[m.initial], |s| {
        m.edges.iter().filter(move |e| e.from == s).map(|e| e.to)
    });
    let initial = &m.states[m.initial].ident;
    for (state, _) in m.states.iter().zip(&reachable).filter(|(_, r)| !**r) {
        cx.error_at(
            state.span(),
            format!(
                "state `{}` is unreachable from the initial state `{initial}`",
                state.ident
            ),
        );
    }
    reachable
}

/// Every reachable state has a path to some terminal state (no trap states). An
/// unreachable state is already reported by the rule above.
fn states_reach_a_terminal(cx: &Ctxt, m: &Machine, reachable: &[bool]) {
    if m.terminal.is_empty() {
        return; // reported as a missing section
    }
    let ends = closure(m.states.len(), &m.terminal, |s| {
        m.edges.iter().filter(move |e| e.to == s).map(|e| e.from)
    });
    for (i, state) in m.states.iter().enumerate() {
        if reachable[i] && !ends[i] {
            cx.error_at(
                state.span(),
                format!("state `{}` has no path to a terminal state", state.ident),
            );
        }
    }
}

/// The states reachable from `start` through `next`.
fn closure<I: Iterator<Item = usize>>(
    n: usize,
    start: &[usize],
    next: impl Fn(usize) -> I,
) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = start.to_vec();
    while let Some(s) = stack.pop() {
        if !std::mem::replace(&mut seen[s], true) {
            stack.extend(next(s));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::super::parse::Decl;
    use super::*;
    use proc_macro2::TokenStream;

    fn errors(tokens: TokenStream) -> Vec<String> {
        let decl: Decl = syn::parse2(tokens).unwrap();
        let cx = Ctxt::new();
        let m = Machine::resolve(&cx, &decl).unwrap();
        check(&cx, &m);
        cx.messages()
    }

    #[test]
    fn the_plan_lifecycle_is_valid() {
        assert!(errors(quote! {
            machine PlanLifecycle {
                states: Draft, Approved, Executing, Executed, Failed;
                initial: Draft;
                terminal: Executed, Failed;
                transitions {
                    Draft -> Approved: approve(granted: Granted);
                    Approved -> Executing: start;
                    Executing -> Executed: complete;
                    Executing -> Failed: fail;
                }
            }
        })
        .is_empty());
    }

    #[test]
    fn graph_rules_report_every_offender() {
        let found = errors(quote! {
            machine M {
                states: A, B, Orphan, Trap, End;
                initial: A;
                terminal: End;
                transitions {
                    A -> B: go;
                    A -> B: again;
                    A -> Trap: go;
                    Trap -> Trap: spin;
                    B -> End: finish;
                    End -> A: new;
                }
            }
        });
        assert_eq!(
            found,
            [
                "terminal state `End` has an outgoing transition",
                "duplicate transition from `A` to `B`",
                "duplicate transition method `go` from state `A`",
                "transition method `new` is reserved by the typestate API",
                "state `Orphan` is unreachable from the initial state `A`",
                "state `Trap` has no path to a terminal state",
            ]
        );
    }
}
