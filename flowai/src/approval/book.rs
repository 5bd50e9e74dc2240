//! The book of approval requests: `approval:<id>` records in the runtime's store (pending,
//! then decided or expired, kept as the audit), and the gates of this process waiting on
//! them. A decision is a compare-and-set on the record's version, so it is recorded
//! exactly once whichever process makes it.

use super::{ApprovalRequest, Decision, GateKind, Outcome};
use crate::lifecycle::ApprovalGateState as State;
use crate::lifecycle::{ApprovalGate, Approve, Granted};
use crate::store::{Op, Record, Store};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    /// The store holding approvals failed.
    #[error("{0}")]
    Store(String),
}

/// A request and where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalRecord {
    /// The request.
    pub request: ApprovalRequest,
    /// `pending`, `approved`, `rejected`, `revision_requested` or `expired`.
    pub status: &'static str,
}

/// What a waiting gate receives: the decision and, for an approve, its evidence.
pub(super) type Decided = (Decision, Option<Granted>);

/// A gate waiting in this process.
pub(crate) type Waiter = oneshot::Receiver<Decided>;

/// The gates of this process waiting on a decision, by request id.
#[derive(Default)]
pub(super) struct Waiters {
    pub(super) gates: HashMap<String, oneshot::Sender<Decided>>,
    /// Whether the task delivering decisions made elsewhere runs (see `elsewhere`).
    pub(super) polling: bool,
}

/// Every approval request of one tenant, pending and decided.
///
/// On a durable store, other processes may decide requests too: while a gate of this
/// process waits, a task reads every waiting request in one `get_many` every 250 ms and
/// delivers the decisions it finds (it needs Tokio's time driver, and ends once no gate
/// waits).
pub struct ApprovalBook {
    store: Arc<dyn Store>,
    tenant: String,
    waiters: Arc<Mutex<Waiters>>,
}

pub(super) fn key(id: &str) -> String {
    format!("approval:{id}")
}

/// The request id of a [`key`].
pub(super) fn id_of(key: &str) -> Option<&str> {
    key.strip_prefix("approval:")
}

pub(super) fn state_of(value: &Value) -> State {
    value["status"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(State::Expired)
}

pub(super) fn decision_of(value: &Value) -> Option<Decision> {
    let d = &value["decision"];
    let feedback = d["feedback"].as_str().map(str::to_string);
    Decision::parse(d["outcome"].as_str()?, feedback, d.get("partial").cloned()).ok()
}

/// The only place an approve becomes evidence: a gate moved to `approved` by the typestate
/// API hands out the `Granted` the plan lifecycle's `approve` requires.
pub(super) fn evidence(id: &str, decision: &Decision) -> Option<Granted> {
    (decision.outcome == Outcome::Approve).then(|| {
        ApprovalGate::new(id.to_string())
            .approve(Approve::new())
            .granted()
    })
}

fn request_of(value: &Value) -> ApprovalRequest {
    let s = |k: &str| value[k].as_str().unwrap_or_default().to_string();
    ApprovalRequest {
        id: s("id"),
        run_id: s("runId"),
        kind: if value["kind"] == "plan" {
            GateKind::Plan
        } else {
            GateKind::Tool
        },
        target: s("target"),
        payload: value["payload"].clone(),
        resource_id: s("resourceId"),
        thread_id: s("threadId"),
        correlation_id: s("correlationId"),
    }
}

/// Where a request stands, as a gate needs to know.
pub(crate) enum Standing {
    /// Not recorded yet.
    Unknown,
    /// Waiting.
    Pending,
    /// Decided: the decision and its evidence.
    Decided(Decision, Option<Granted>),
    /// Expired (its run was cancelled).
    Expired,
}

impl ApprovalBook {
    pub(crate) fn new(store: Arc<dyn Store>, tenant: &str) -> Self {
        Self {
            store,
            tenant: tenant.to_string(),
            waiters: Arc::default(),
        }
    }

    /// The write that records `request` as pending.
    pub(crate) fn open_op(&self, request: &ApprovalRequest) -> Op {
        let mut record = request.event_data();
        record["status"] = json!("pending");
        record["createdAt"] = json!(crate::plan::now());
        Op::insert(key(&request.id), record)
    }

    /// Registers this process's gate on request `id`; the receiver gets the decision.
    pub(crate) fn wait(&self, id: &str) -> Waiter {
        let (tx, rx) = oneshot::channel();
        let mut waiters = self.waiters.lock().expect("approval waiters");
        waiters.gates.insert(id.to_string(), tx);
        if self.store.is_durable() && !waiters.polling {
            waiters.polling = super::elsewhere::start(&self.store, &self.tenant, &self.waiters);
        }
        rx
    }

    /// Whether the task delivering decisions made elsewhere runs.
    #[cfg(test)]
    pub(super) fn polling(&self) -> bool {
        self.waiters.lock().expect("approval waiters").polling
    }

    /// Forgets this process's gate on `id`.
    pub(crate) fn unwait(&self, id: &str) {
        self.waiters
            .lock()
            .expect("approval waiters")
            .gates
            .remove(id);
    }

    fn read(&self, id: &str) -> Result<Option<Record>, ApprovalError> {
        self.store
            .get(&self.tenant, &key(id))
            .map_err(|e| ApprovalError::Store(e.to_string()))
    }

    /// Where request `id` stands in the store.
    pub(crate) fn standing(&self, id: &str) -> Result<Standing, ApprovalError> {
        let Some(record) = self.read(id)? else {
            return Ok(Standing::Unknown);
        };
        Ok(match state_of(&record.value) {
            State::Pending => Standing::Pending,
            State::Expired => Standing::Expired,
            _ => match decision_of(&record.value) {
                Some(d) => {
                    let granted = evidence(id, &d);
                    Standing::Decided(d, granted)
                }
                None => Standing::Expired,
            },
        })
    }

    /// Records a decision exactly once and wakes the gate of this process waiting on it.
    ///
    /// # Errors
    /// [`ApprovalError::NotFound`] for an unknown id, [`ApprovalError::AlreadyResolved`] for a
    /// request that was decided or expired (here or in another process sharing the store).
    pub fn respond(&self, id: &str, decision: Decision) -> Result<(), ApprovalError> {
        let record = self
            .read(id)?
            .ok_or_else(|| ApprovalError::NotFound(id.to_string()))?;
        let to = match decision.outcome {
            Outcome::Approve => State::Approved,
            Outcome::Reject => State::Rejected,
            Outcome::Revise { .. } => State::RevisionRequested,
        };
        let to = state_of(&record.value)
            .transition(to)
            .map_err(|_| ApprovalError::AlreadyResolved(id.to_string()))?;
        let mut value = (*record.value).clone();
        value["status"] = json!(to.as_str());
        let mut recorded = decision.event_data(id)["outcome"].clone();
        if let Some(f) = &decision.feedback {
            recorded["feedback"] = json!(f);
        }
        value["decision"] = recorded;
        value["decidedAt"] = json!(crate::plan::now());
        let cas = Op::Replace {
            key: key(id),
            version: record.version,
            value: Arc::new(value),
        };
        match self.store.commit(&self.tenant, vec![cas]) {
            Ok(()) => {}
            Err(crate::store::StoreError::Conflict { .. }) => {
                return Err(ApprovalError::AlreadyResolved(id.to_string()))
            }
            Err(e) => return Err(ApprovalError::Store(e.to_string())),
        }
        let waiter = self
            .waiters
            .lock()
            .expect("approval waiters")
            .gates
            .remove(id);
        if let Some(waiter) = waiter {
            // A gate whose run went away leaves the decision recorded all the same.
            let granted = evidence(id, &decision);
            let _ = waiter.send((decision, granted));
        }
        Ok(())
    }

    /// Marks a still-pending request expired (its run was cancelled).
    pub(crate) fn expire(&self, id: &str) {
        self.unwait(id);
        let Ok(Some(record)) = self.read(id) else {
            return;
        };
        if state_of(&record.value).transition(State::Expired).is_err() {
            return;
        }
        let mut value = (*record.value).clone();
        value["status"] = json!("expired");
        let cas = Op::Replace {
            key: key(id),
            version: record.version,
            value: Arc::new(value),
        };
        // Losing the race to a decision is fine: the request is resolved either way.
        let _ = self.store.commit(&self.tenant, vec![cas]);
    }

    /// The requests still waiting for a decision, oldest first.
    ///
    /// # Errors
    /// [`ApprovalError::Store`] when the store cannot be read.
    pub fn pending(&self) -> Result<Vec<ApprovalRequest>, ApprovalError> {
        let records = self
            .store
            .scan(&self.tenant, "approval:")
            .map_err(|e| ApprovalError::Store(e.to_string()))?;
        let mut pending: Vec<(String, ApprovalRequest)> = records
            .into_iter()
            .filter(|(_, r)| state_of(&r.value) == State::Pending)
            .map(|(_, r)| {
                let at = r.value["createdAt"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                (at, request_of(&r.value))
            })
            .collect();
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(pending.into_iter().map(|(_, r)| r).collect())
    }

    /// The audit record of request `id`.
    pub fn record(&self, id: &str) -> Option<ApprovalRecord> {
        let record = self.read(id).ok()??;
        Some(ApprovalRecord {
            request: request_of(&record.value),
            status: state_of(&record.value).as_str(),
        })
    }
}
