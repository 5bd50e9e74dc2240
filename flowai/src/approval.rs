//! Approvals (runtime-behavior §9): the policy hierarchy, rule evaluation with dynamic
//! predicates, and the book of gates waiting for a decision.
//!
//! A gate opens with a fresh id, waits for [`crate::Runtime::respond_to_approval`] or for
//! cancellation, and is decided exactly once: the book moves every request through the
//! `ApprovalGate` machine's run-time checker, so a second decision is a typed error.

mod book;
mod elsewhere;
pub(crate) mod gate;
pub(crate) mod policy;

pub use book::{ApprovalBook, ApprovalError, ApprovalRecord};
pub use policy::{AgentPolicy, PredicateContext, Predicates};

use serde_json::{json, Value};

/// What the host decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Go ahead.
    Approve,
    /// Do not run it.
    Reject,
    /// Plans: send it back to the planner with an optional partial; tools treat it as reject.
    Revise {
        /// Any JSON the reviewer attaches.
        partial: Value,
    },
}

/// A decision on one approval request.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// Free-text feedback, forwarded into events and rejection reasons.
    pub feedback: Option<String>,
}

impl Decision {
    /// Parses the `outcome` keyword (`approve`, `reject`, `revise`).
    ///
    /// # Errors
    /// [`ApprovalError::BadOutcome`] for any other value.
    ///
    /// ```
    /// use flowai::approval::{Decision, Outcome};
    /// let d = Decision::parse("revise", None, Some(serde_json::json!({"x": 1}))).unwrap();
    /// assert_eq!(d.outcome, Outcome::Revise { partial: serde_json::json!({"x": 1}) });
    /// assert!(Decision::parse("maybe", None, None).is_err());
    /// ```
    pub fn parse(
        outcome: &str,
        feedback: Option<String>,
        partial: Option<Value>,
    ) -> Result<Self, ApprovalError> {
        let outcome = match outcome {
            "approve" => Outcome::Approve,
            "reject" => Outcome::Reject,
            "revise" => Outcome::Revise {
                partial: partial.unwrap_or(Value::Null),
            },
            other => return Err(ApprovalError::BadOutcome(other.to_string())),
        };
        Ok(Self { outcome, feedback })
    }

    /// The `data` of the `approval-decision` event for approval `id`.
    pub(crate) fn event_data(&self, id: &str) -> Value {
        let outcome = match &self.outcome {
            Outcome::Approve => json!({"outcome": "approve"}),
            Outcome::Reject => json!({"outcome": "reject"}),
            Outcome::Revise { partial } => json!({"outcome": "revise", "partial": partial}),
        };
        let mut data = json!({"id": id, "outcome": outcome});
        if let Some(f) = &self.feedback {
            data["feedback"] = Value::String(f.clone());
        }
        data
    }
}

/// `tool` or `plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateKind {
    /// A tool call gate.
    Tool,
    /// The `executePlan` gate.
    Plan,
}

impl GateKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GateKind::Tool => "tool",
            GateKind::Plan => "plan",
        }
    }
}

/// One request for a decision, as `approval-required` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalRequest {
    /// Fresh UUID v4 per attempt.
    pub id: String,
    /// The run that waits on it.
    pub run_id: String,
    /// Tool or plan.
    pub kind: GateKind,
    /// Tool name or plan id.
    pub target: String,
    /// Tool args or the stored plan object.
    pub payload: Value,
    /// Tenant.
    pub resource_id: String,
    /// Thread of the gated agent.
    pub thread_id: String,
    /// Tool-use id (tool) or plan id (plan).
    pub correlation_id: String,
}

impl ApprovalRequest {
    /// The `data` of the `approval-required` event.
    pub(crate) fn event_data(&self) -> Value {
        json!({
            "correlationId": self.correlation_id,
            "id": self.id,
            "kind": self.kind.as_str(),
            "payload": self.payload,
            "resourceId": self.resource_id,
            "runId": self.run_id,
            "target": self.target,
            "threadId": self.thread_id,
        })
    }
}
