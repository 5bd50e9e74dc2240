//! The two lifecycles of the engine, declared once with [`state_machine!`](crate::state_machine):
//!
//! * [`PlanLifecycle`]: `draft -> approved -> executing -> executed | failed`
//!   (runtime-behavior §8). Approving takes a [`Granted`], which only an
//!   approved [`ApprovalGate`] hands out.
//! * [`ApprovalGate`]: `pending -> approved | rejected | revision_requested | expired`
//!   (§9). Each decision takes the evidence of a recorded decision.
//!
//! Rust code drives them through the typestate API, so an illegal transition does not
//! compile; plans and approvals driven from Python specs go through
//! [`PlanLifecycleState::transition`] and [`ApprovalGateState::transition`], the checker
//! generated from the same table.
//!
//! # Examples
//!
//! ```
//! use flowai::lifecycle::{plan_lifecycle, PlanLifecycle, PlanLifecycleState};
//!
//! let plan: PlanLifecycle<plan_lifecycle::Draft, &str> = PlanLifecycle::new("plan-1");
//! assert_eq!(plan.state(), PlanLifecycleState::Draft);
//! assert_eq!(PlanLifecycleState::Draft.transition(PlanLifecycleState::Approved), Ok(PlanLifecycleState::Approved));
//! assert!(PlanLifecycleState::Executed.is_terminal());
//! ```
//!
//! Executing a draft plan does not compile:
//!
//! ```compile_fail
//! use flowai::lifecycle::PlanLifecycle;
//! let _ = PlanLifecycle::new("plan-1").start();
//! ```
//!
//! Nor does minting the evidence outside the engine:
//!
//! ```compile_fail
//! let _ = flowai::lifecycle::evidence::Granted::new();
//! ```

pub use evidence::{Approve, Granted, Reject, Revise};

crate::state_machine! {
    /// A plan moving through its lifecycle, holding its body `T`.
    ///
    /// Only [`approve`](PlanLifecycle::approve) leaves `draft`, and it consumes a
    /// [`Granted`]: a plan is approved only after a recorded approve decision.
    pub machine PlanLifecycle {
        states: Draft, Approved, Executing, Executed, Failed;
        initial: Draft;
        terminal: Executed, Failed;
        transitions {
            /// Approves a draft plan; `granted` proves a recorded approve decision.
            Draft -> Approved: approve(granted: crate::lifecycle::evidence::Granted);
            /// Starts executing an approved plan.
            Approved -> Executing: start;
            /// Records a successful execution.
            Executing -> Executed: complete;
            /// Records a failed execution.
            Executing -> Failed: fail;
        }
    }
}

crate::state_machine! {
    /// An approval request waiting for a decision, holding the request `T`.
    ///
    /// Each decision consumes the evidence of a recorded decision of that kind; an
    /// approved gate hands out the [`Granted`] a plan approval needs.
    pub machine ApprovalGate {
        states: Pending, Approved, Rejected, RevisionRequested, Expired;
        initial: Pending;
        terminal: Approved, Rejected, RevisionRequested, Expired;
        transitions {
            /// Records an approve decision.
            Pending -> Approved: approve(decision: crate::lifecycle::evidence::Approve);
            /// Records a reject decision.
            Pending -> Rejected: reject(decision: crate::lifecycle::evidence::Reject);
            /// Records a revise decision.
            Pending -> RevisionRequested: request_revision(decision: crate::lifecycle::evidence::Revise);
            /// Expires a request nobody answered (its run was cancelled).
            Pending -> Expired: expire;
        }
    }
}

impl<T> ApprovalGate<approval_gate::Approved, T> {
    /// The proof that this request was approved, which [`PlanLifecycle::approve`] consumes.
    ///
    /// Only an approved gate has this method; a gate reaches `approved` only through
    /// [`ApprovalGate::approve`], which consumes an [`Approve`] that only a recorded
    /// decision creates.
    ///
    /// # Examples
    ///
    /// A pending gate grants nothing:
    ///
    /// ```compile_fail
    /// use flowai::lifecycle::ApprovalGate;
    /// let _ = ApprovalGate::new("request-1").granted();
    /// ```
    pub fn granted(&self) -> Granted {
        Granted::new()
    }
}

/// Evidence of recorded decisions. Their fields are private and their constructors are
/// `pub(crate)`: code outside the engine can move them but never create them.
pub mod evidence {
    /// Proof that an approval gate was approved; consumed by [`PlanLifecycle::approve`].
    /// Only [`ApprovalGate::granted`] creates one.
    ///
    /// # Examples
    ///
    /// Code outside the engine can require and pass a grant, never make one:
    ///
    /// ```
    /// use flowai::lifecycle::{plan_lifecycle, Granted, PlanLifecycle};
    ///
    /// fn approve<T>(
    ///     plan: PlanLifecycle<plan_lifecycle::Draft, T>,
    ///     granted: Granted,
    /// ) -> PlanLifecycle<plan_lifecycle::Approved, T> {
    ///     plan.approve(granted)
    /// }
    /// # let _ = approve::<()>;
    /// ```
    ///
    /// [`PlanLifecycle::approve`]: super::PlanLifecycle::approve
    /// [`ApprovalGate::granted`]: super::ApprovalGate::granted
    #[derive(Debug)]
    pub struct Granted {
        _private: (),
    }

    /// Evidence of a recorded approve decision; only the approval book creates it.
    ///
    /// ```compile_fail
    /// let _ = flowai::lifecycle::Approve { _private: () };
    /// ```
    #[derive(Debug)]
    pub struct Approve {
        _private: (),
    }

    /// Evidence of a recorded reject decision; only the approval book creates it.
    ///
    /// ```compile_fail
    /// let _ = flowai::lifecycle::Reject::new();
    /// ```
    #[derive(Debug)]
    pub struct Reject {
        _private: (),
    }

    /// Evidence of a recorded revise decision; only the approval book creates it.
    ///
    /// ```compile_fail
    /// let _ = flowai::lifecycle::Revise::new();
    /// ```
    #[derive(Debug)]
    pub struct Revise {
        _private: (),
    }

    impl Granted {
        /// Only an approved gate mints this.
        pub(crate) fn new() -> Self {
            Self { _private: () }
        }
    }

    #[allow(
        dead_code,
        reason = "called by the approval book when it records a decision"
    )]
    impl Approve {
        /// Only a recorded approve decision creates this.
        pub(crate) fn new() -> Self {
            Self { _private: () }
        }
    }

    #[allow(
        dead_code,
        reason = "called by the approval book when it records a decision"
    )]
    impl Reject {
        /// Only a recorded reject decision creates this.
        pub(crate) fn new() -> Self {
            Self { _private: () }
        }
    }

    #[allow(
        dead_code,
        reason = "called by the approval book when it records a decision"
    )]
    impl Revise {
        /// Only a recorded revise decision creates this.
        pub(crate) fn new() -> Self {
            Self { _private: () }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use ApprovalGateState as G;
    use PlanLifecycleState as P;

    #[test]
    fn plan_table_is_the_documented_lifecycle() {
        assert_eq!(
            P::TRANSITIONS,
            [
                (P::Draft, P::Approved, "approve"),
                (P::Approved, P::Executing, "start"),
                (P::Executing, P::Executed, "complete"),
                (P::Executing, P::Failed, "fail"),
            ]
        );
        assert_eq!(P::INITIAL, P::Draft);
        assert_eq!(
            P::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["draft", "approved", "executing", "executed", "failed"]
        );
    }

    #[test]
    fn legal_transitions_pass_the_checker() {
        assert_eq!(P::Draft.transition(P::Approved), Ok(P::Approved));
        assert_eq!(P::Approved.transition(P::Executing), Ok(P::Executing));
        assert_eq!(P::Executing.transition(P::Executed), Ok(P::Executed));
        assert_eq!(P::Executing.transition(P::Failed), Ok(P::Failed));
        for to in [G::Approved, G::Rejected, G::RevisionRequested, G::Expired] {
            assert_eq!(G::Pending.transition(to), Ok(to));
        }
    }

    #[test]
    fn illegal_transitions_are_typed_errors() {
        let err = P::Draft.transition(P::Executing).unwrap_err();
        assert_eq!(
            err.to_string(),
            "illegal transition of `PlanLifecycle` from `draft` to `executing`"
        );
        assert_eq!(
            (err.machine, err.from, err.to),
            ("PlanLifecycle", "draft", "executing")
        );
        assert!(P::Approved.transition(P::Executed).is_err());
        assert!(P::Draft.transition(P::Draft).is_err());
        let err = G::Expired.transition(G::Approved).unwrap_err();
        assert_eq!(
            err.to_string(),
            "illegal transition of `ApprovalGate` from `expired` to `approved`"
        );
        assert!(G::Approved.transition(G::Rejected).is_err());
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for &state in P::ALL {
            assert_eq!(state.is_terminal(), P::successors(state).next().is_none());
        }
        for &state in G::ALL {
            assert_eq!(state.is_terminal(), G::successors(state).next().is_none());
        }
        for from in [P::Executed, P::Failed] {
            assert!(from.is_terminal());
            for &to in P::ALL {
                assert!(from.transition(to).is_err(), "{from} -> {to}");
            }
        }
        for &from in G::ALL.iter().filter(|s| **s != G::Pending) {
            assert!(from.is_terminal());
            for &to in G::ALL {
                assert!(from.transition(to).is_err(), "{from} -> {to}");
            }
        }
        assert!(!G::Pending.is_terminal());
    }

    #[test]
    fn states_parse_and_serialize_as_snake_case() {
        assert_eq!("revision_requested".parse::<G>(), Ok(G::RevisionRequested));
        assert_eq!(G::RevisionRequested.to_string(), "revision_requested");
        assert_eq!(serde_json::to_value(P::Executing).unwrap(), "executing");
        assert_eq!(
            serde_json::from_value::<P>("failed".into()).unwrap(),
            P::Failed
        );
        let err = serde_json::from_value::<P>("pending_approval".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown state `pending_approval` of `PlanLifecycle`"
        );
    }

    #[test]
    fn the_typestate_walks_only_declared_edges_with_evidence() {
        let gate = ApprovalGate::new("request-1").approve(Approve::new());
        assert_eq!(gate.state(), G::Approved);
        let plan = PlanLifecycle::new(vec![1, 2]).approve(gate.granted());
        assert_eq!(plan.state(), P::Approved);
        let done = plan.start().map(|v| v.len()).complete();
        assert_eq!((done.state(), *done.value()), (P::Executed, 2));
        assert_eq!(
            format!("{done:?}"),
            "PlanLifecycle { state: Executed, value: 2 }"
        );
        let rejected = ApprovalGate::new(()).reject(Reject::new());
        let revised = ApprovalGate::new(()).request_revision(Revise::new());
        let expired = ApprovalGate::new(()).expire();
        assert_eq!(
            [rejected.state(), revised.state(), expired.state()],
            [G::Rejected, G::RevisionRequested, G::Expired]
        );
    }
}
