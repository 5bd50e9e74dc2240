//! The book of approval requests: pending gates and the audit of decided ones.

use super::{ApprovalRequest, Decision, Outcome};
use crate::lifecycle::ApprovalGateState as State;
use crate::lifecycle::{ApprovalGate, Approve, Granted};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// Why a decision was refused (python-api §16, runtime-behavior §9.5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApprovalError {
    /// The outcome keyword is not `approve`, `reject` or `revise`.
    #[error("approval outcome must be approve, reject, or revise; got {0}")]
    BadOutcome(String),
    /// No request with this id exists for this tenant.
    #[error("approval not found: {0}")]
    NotFound(String),
    /// The request was already decided (or expired).
    #[error("approval already resolved: {0}")]
    AlreadyResolved(String),
}

/// A request and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalRecord {
    /// The request.
    pub request: ApprovalRequest,
    /// `pending`, `approved`, `rejected`, `revision_requested` or `expired`.
    pub status: &'static str,
}

struct Entry {
    request: ApprovalRequest,
    state: State,
    waiter: Option<oneshot::Sender<(Decision, Option<Granted>)>>,
}

/// Every approval request of one runtime handle (one tenant), pending and decided.
#[derive(Default)]
pub struct ApprovalBook {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ApprovalBook {
    /// Registers a pending request; the receiver gets the decision.
    pub(crate) fn open(
        &self,
        request: ApprovalRequest,
    ) -> oneshot::Receiver<(Decision, Option<Granted>)> {
        let (tx, rx) = oneshot::channel();
        let entry = Entry {
            request,
            state: State::INITIAL,
            waiter: Some(tx),
        };
        let mut entries = self.entries.lock().expect("approval book");
        entries.insert(entry.request.id.clone(), entry);
        rx
    }

    /// Records a decision exactly once and wakes the gate waiting on it.
    ///
    /// # Errors
    /// [`ApprovalError::NotFound`] for an unknown id, [`ApprovalError::AlreadyResolved`] for a
    /// request that was decided or expired.
    pub fn respond(&self, id: &str, decision: Decision) -> Result<(), ApprovalError> {
        let mut entries = self.entries.lock().expect("approval book");
        let entry = entries
            .get_mut(id)
            .ok_or_else(|| ApprovalError::NotFound(id.to_string()))?;
        let to = match decision.outcome {
            Outcome::Approve => State::Approved,
            Outcome::Reject => State::Rejected,
            Outcome::Revise { .. } => State::RevisionRequested,
        };
        entry.state = entry
            .state
            .transition(to)
            .map_err(|_| ApprovalError::AlreadyResolved(id.to_string()))?;
        // The only place an approve becomes evidence: a gate moved to `approved` by the
        // typestate API hands out the `Granted` the plan lifecycle's `approve` requires.
        let granted = (to == State::Approved).then(|| {
            ApprovalGate::new(id.to_string())
                .approve(Approve::new())
                .granted()
        });
        if let Some(waiter) = entry.waiter.take() {
            // A gate whose run went away leaves the decision recorded all the same.
            let _ = waiter.send((decision, granted));
        }
        Ok(())
    }

    /// Marks a still-pending request expired (its run was cancelled).
    pub(crate) fn expire(&self, id: &str) {
        let mut entries = self.entries.lock().expect("approval book");
        if let Some(entry) = entries.get_mut(id) {
            if let Ok(state) = entry.state.transition(State::Expired) {
                entry.state = state;
                entry.waiter = None;
            }
        }
    }

    /// The requests still waiting for a decision.
    pub fn pending(&self) -> Vec<ApprovalRequest> {
        let entries = self.entries.lock().expect("approval book");
        entries
            .values()
            .filter(|e| e.state == State::Pending)
            .map(|e| e.request.clone())
            .collect()
    }

    /// The audit record of request `id`.
    pub fn record(&self, id: &str) -> Option<ApprovalRecord> {
        let entries = self.entries.lock().expect("approval book");
        entries.get(id).map(|e| ApprovalRecord {
            request: e.request.clone(),
            status: e.state.as_str(),
        })
    }
}
