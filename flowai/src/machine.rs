//! The state-machine core that [`state_machine!`](crate::state_machine) targets.
//!
//! A machine is declared once and has two faces:
//!
//! * **compile time**: a typestate wrapper `Name<S, T>` whose state `S` is a marker type
//!   implementing [`State`]; each declared edge is a method from one marker to another,
//!   so an undeclared transition has no method and does not compile;
//! * **run time**: a `NameState` enum implementing [`Machine`], whose `const`
//!   [`TRANSITIONS`](Machine::TRANSITIONS) table backs [`Machine::check`]. Machines driven
//!   from Python specs go through it; an illegal transition is a [`TransitionError`],
//!   never a silent state change.
//!
//! # Examples
//!
//! ```
//! use flowai::machine::Machine;
//!
//! flowai::state_machine! {
//!     /// A door.
//!     pub machine Door {
//!         states: Closed, Open, Broken;
//!         initial: Closed;
//!         terminal: Broken;
//!         transitions {
//!             Closed -> Open: open;
//!             Open -> Closed: close;
//!             Closed -> Broken: kick;
//!         }
//!     }
//! }
//!
//! // Compile time: only declared edges exist.
//! let door = Door::new("front").open().close();
//! assert_eq!(door.state(), DoorState::Closed);
//!
//! // Run time: the same table, checked.
//! assert_eq!(DoorState::Closed.transition(DoorState::Open), Ok(DoorState::Open));
//! let err = DoorState::Open.transition(DoorState::Broken).unwrap_err();
//! assert_eq!(err.to_string(), "illegal transition of `Door` from `open` to `broken`");
//! assert_eq!(DoorState::edge(DoorState::Closed, DoorState::Broken), Some("kick"));
//! ```

use std::fmt::{Debug, Display};
use std::hash::Hash;

/// An undeclared transition of a machine driven at run time.
///
/// # Examples
///
/// ```
/// use flowai::lifecycle::PlanLifecycleState;
///
/// let err = PlanLifecycleState::Draft.transition(PlanLifecycleState::Executing).unwrap_err();
/// assert_eq!((err.machine, err.from, err.to), ("PlanLifecycle", "draft", "executing"));
/// assert_eq!(err.to_string(), "illegal transition of `PlanLifecycle` from `draft` to `executing`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal transition of `{machine}` from `{from}` to `{to}`")]
#[non_exhaustive]
pub struct TransitionError {
    /// Machine name (`PlanLifecycle`).
    pub machine: &'static str,
    /// Current state, snake_case.
    pub from: &'static str,
    /// Requested state, snake_case.
    pub to: &'static str,
}

impl TransitionError {
    /// The error for `from -> to` on machine `M`.
    ///
    /// ```
    /// use flowai::lifecycle::ApprovalGateState as S;
    /// use flowai::machine::TransitionError;
    ///
    /// let err = TransitionError::of(S::Expired, S::Approved);
    /// assert_eq!(err.to_string(), "illegal transition of `ApprovalGate` from `expired` to `approved`");
    /// ```
    pub fn of<M: Machine>(from: M, to: M) -> Self {
        Self {
            machine: M::NAME,
            from: from.as_str(),
            to: to.as_str(),
        }
    }
}

/// A state name that is not a state of the machine (parsing a stored status).
///
/// # Examples
///
/// ```
/// use flowai::lifecycle::PlanLifecycleState;
///
/// let err = "pending_approval".parse::<PlanLifecycleState>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown state `pending_approval` of `PlanLifecycle`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state `{state}` of `{machine}`")]
#[non_exhaustive]
pub struct UnknownState {
    /// Machine name.
    pub machine: &'static str,
    /// The name that was given.
    pub state: String,
}

/// The run-time face of a declared machine, implemented by the generated `NameState` enum.
///
/// Every method has a default built on the `const` tables, so the checks are the same
/// for every machine.
///
/// # Examples
///
/// ```
/// use flowai::lifecycle::PlanLifecycleState as S;
/// use flowai::machine::Machine;
///
/// assert_eq!(S::NAME, "PlanLifecycle");
/// assert_eq!(S::STATES.len(), 5);
/// assert!(S::TERMINAL.contains(&S::Failed));
/// assert_eq!(S::check(S::Approved, S::Executing), Ok(S::Executing));
/// assert_eq!(S::follow(S::Executing, "fail"), Some(S::Failed));
/// assert_eq!(S::parse_state("executed"), Ok(S::Executed));
/// ```
pub trait Machine: Copy + Eq + Hash + Debug + Display + Send + Sync + 'static {
    /// The machine's name as declared (`PlanLifecycle`).
    const NAME: &'static str;
    /// Every state, in declaration order.
    const STATES: &'static [Self];
    /// The initial state.
    const INITIAL: Self;
    /// The terminal states (no outgoing edge).
    const TERMINAL: &'static [Self];
    /// The declared edges: `(from, to, method name)`.
    const TRANSITIONS: &'static [(Self, Self, &'static str)];

    /// The state's snake_case name (`revision_requested`).
    fn as_str(self) -> &'static str;

    /// Whether no edge leaves this state.
    fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// The method name of the edge `from -> to`, if it is declared.
    fn edge(from: Self, to: Self) -> Option<&'static str> {
        Self::TRANSITIONS
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, name)| *name)
    }

    /// Checks the transition `from -> to` against the table.
    ///
    /// # Errors
    /// [`TransitionError`] when the edge is not declared.
    fn check(from: Self, to: Self) -> Result<Self, TransitionError> {
        match Self::edge(from, to) {
            Some(_) => Ok(to),
            None => Err(TransitionError::of(from, to)),
        }
    }

    /// The target of the edge named `method` leaving `from`, if there is one.
    fn follow(from: Self, method: &str) -> Option<Self> {
        Self::TRANSITIONS
            .iter()
            .find(|(f, _, name)| *f == from && *name == method)
            .map(|(_, to, _)| *to)
    }

    /// The states one declared edge away from `from`.
    fn successors(from: Self) -> impl Iterator<Item = Self> {
        Self::TRANSITIONS
            .iter()
            .filter(move |(f, _, _)| *f == from)
            .map(|(_, to, _)| *to)
    }

    /// The state named `name` (snake_case).
    ///
    /// # Errors
    /// [`UnknownState`] when no state has that name.
    fn parse_state(name: &str) -> Result<Self, UnknownState> {
        Self::STATES
            .iter()
            .copied()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| UnknownState {
                machine: Self::NAME,
                state: name.to_string(),
            })
    }
}

/// A state marker type of a typestate machine (one zero-sized type per declared state).
///
/// # Examples
///
/// ```
/// use flowai::lifecycle::{plan_lifecycle, PlanLifecycleState};
/// use flowai::machine::State;
///
/// assert_eq!(<plan_lifecycle::Approved as State>::STATE, PlanLifecycleState::Approved);
/// ```
pub trait State: 'static {
    /// The run-time enum of the machine this state belongs to.
    type Machine: Machine;
    /// The run-time value of this state.
    const STATE: Self::Machine;
}

/// Serializes a state as its snake_case name (generated `Serialize` impls call this).
#[doc(hidden)]
pub fn serialize_state<M: Machine, S: serde::Serializer>(
    state: M,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(state.as_str())
}

/// Deserializes a state from its snake_case name (generated `Deserialize` impls call this).
#[doc(hidden)]
pub fn deserialize_state<'de, M: Machine, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<M, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(deserializer)?;
    M::parse_state(&name).map_err(serde::de::Error::custom)
}
