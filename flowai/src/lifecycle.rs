//! Interim lifecycle enums until the `state_machine!` declarations land (owned by the macros work).

use crate::machine::TransitionError;

macro_rules! interim_machine {
    ($name:ident, $machine:literal, [$($state:ident = $text:literal),*], initial $initial:ident, [$(($from:ident, $to:ident)),*]) => {
        /// Interim state enum.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $(#[doc = $text] $state),* }
        impl $name {
            /// The initial state.
            pub const INITIAL: Self = Self::$initial;
            /// snake_case name.
            pub fn as_str(self) -> &'static str { match self { $(Self::$state => $text),* } }
            /// Checked transition.
            pub fn transition(self, to: Self) -> Result<Self, TransitionError> {
                if [$((Self::$from, Self::$to)),*].contains(&(self, to)) { Ok(to) } else {
                    Err(TransitionError { machine: $machine, from: self.as_str(), to: to.as_str() })
                }
            }
        }
    };
}

interim_machine!(PlanLifecycleState, "PlanLifecycle", [Draft = "draft", Approved = "approved", Executing = "executing", Executed = "executed", Failed = "failed"], initial Draft,
    [(Draft, Approved), (Approved, Executing), (Executing, Executed), (Executing, Failed)]);
interim_machine!(ApprovalGateState, "ApprovalGate", [Pending = "pending", Approved = "approved", Rejected = "rejected", RevisionRequested = "revision_requested", Expired = "expired"], initial Pending,
    [(Pending, Approved), (Pending, Rejected), (Pending, RevisionRequested), (Pending, Expired)]);
