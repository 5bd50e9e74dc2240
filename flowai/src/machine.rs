//! The state-machine core (interim).

/// An undeclared transition of a machine driven at run time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal transition of `{machine}` from `{from}` to `{to}`")]
#[non_exhaustive]
pub struct TransitionError {
    /// Machine name.
    pub machine: &'static str,
    /// Current state.
    pub from: &'static str,
    /// Requested state.
    pub to: &'static str,
}
