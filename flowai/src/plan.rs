//! Plans (runtime-behavior §4.2-§4.5, §8): validation of a planner's body against its
//! plan spec, normalization of actions to `{kind, payload, references}`, the stored plan
//! object, and the plan store. Status changes go through the `PlanLifecycle` machine's
//! run-time checker, so an illegal transition is a typed error, never a silent change.

mod dispatch;
mod toolkit;

pub use dispatch::{dispatcher_fn, ActionDispatcher, DispatchContext, DispatchResult};

use crate::lifecycle::PlanLifecycleState as Status;
use crate::machine::TransitionError;
use crate::store::{Op, Store, StoreError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The current time as RFC 3339 UTC.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// A plan as stored: canonical actions, context, lifecycle status and timestamps.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPlan {
    /// Plan id.
    pub id: String,
    /// Tenant resource id.
    pub owner: String,
    /// Canonical actions `{kind, payload, references}` in plan order (never empty).
    pub actions: Vec<Value>,
    /// Lifecycle status.
    pub status: Status,
    /// Every top-level body key except `actions`.
    pub context: Map<String, Value>,
    /// Creation time.
    pub created_at: String,
    approved_at: Option<String>,
    started_at: Option<String>,
    completed_at: Option<String>,
    failed_at: Option<String>,
    approved_by: Option<&'static str>,
    outcome: Option<Value>,
}

impl StoredPlan {
    /// The stored plan object of §4.5 (keys sorted when they reach Python).
    pub fn to_value(&self) -> Value {
        let (head, tail) = self
            .actions
            .split_first()
            .expect("plans have at least one action");
        json!({
            "actions": {"head": head, "tail": tail},
            "approvedAt": self.approved_at,
            "approvedBy": self.approved_by,
            "completedAt": self.completed_at,
            "context": self.context,
            "createdAt": self.created_at,
            "description": null,
            "failedAt": self.failed_at,
            "id": self.id,
            "outcome": self.outcome,
            "owner": self.owner,
            "startedAt": self.started_at,
            "status": self.status.as_str(),
        })
    }

    /// Parses the stored plan object written by [`StoredPlan::to_value`].
    pub fn from_value(value: &Value) -> Option<Self> {
        let text = |k: &str| value[k].as_str().map(str::to_string);
        let mut actions = vec![value["actions"]["head"].clone()];
        actions.extend(value["actions"]["tail"].as_array()?.iter().cloned());
        Some(Self {
            id: text("id")?,
            owner: text("owner")?,
            actions,
            status: value["status"].as_str()?.parse().ok()?,
            context: value["context"].as_object()?.clone(),
            created_at: text("createdAt")?,
            approved_at: text("approvedAt"),
            started_at: text("startedAt"),
            completed_at: text("completedAt"),
            failed_at: text("failedAt"),
            approved_by: value["approvedBy"].as_str().map(|_| "runtime"),
            outcome: Some(value["outcome"].clone()).filter(|o| !o.is_null()),
        })
    }

    /// Moves the plan to `to` through the lifecycle checker and stamps the time.
    fn transition(&mut self, to: Status) -> Result<(), TransitionError> {
        self.status = self.status.transition(to)?;
        let stamp = Some(now());
        match to {
            Status::Approved => {
                self.approved_at = stamp;
                self.approved_by = Some("runtime");
            }
            Status::Executing => self.started_at = stamp,
            Status::Executed => self.completed_at = stamp,
            Status::Failed => self.failed_at = stamp,
            Status::Draft => {}
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArtifactRef {
    kind: String,
    id: String,
}

/// Checks the body's `actions` and normalizes each one (runtime-behavior §4.2 steps 3-5).
/// Returns the canonical actions and the plan context.
pub(crate) fn normalize(
    spec: &str,
    body: &Value,
) -> Result<(Vec<Value>, Map<String, Value>), String> {
    let mut context = body.as_object().cloned().unwrap_or_default();
    let actions = match context.remove("actions") {
        None => {
            return Err(format!(
                "planner output for spec '{spec}' is missing the required `actions` field"
            ))
        }
        Some(Value::Array(a)) => a,
        Some(_) => return Err(format!("`actions` for spec '{spec}' must be a JSON array")),
    };
    if actions.is_empty() {
        return Err(format!(
            "planner output for spec '{spec}' produced an empty action sequence"
        ));
    }
    let mut canonical = Vec::with_capacity(actions.len());
    for (i, action) in actions.into_iter().enumerate() {
        let fail =
            |detail: String| format!("action #{i} for spec '{spec}' failed to decode: {detail}");
        let Value::Object(mut fields) = action else {
            return Err(fail("action must be a JSON object".into()));
        };
        let kind = match fields.remove("kind") {
            Some(Value::String(k)) => k,
            _ => {
                return Err(fail(
                    "action is missing required string field `kind`".into(),
                ))
            }
        };
        let references = match fields.remove("references") {
            None | Some(Value::Null) => Vec::new(),
            Some(refs) => {
                let parsed: Vec<ArtifactRef> =
                    serde_json::from_value(refs.clone()).map_err(|e| {
                        fail(format!("`references` did not match `[ArtifactRef]`: {e}"))
                    })?;
                parsed
                    .into_iter()
                    .map(|r| json!({"id": r.id, "kind": r.kind}))
                    .collect()
            }
        };
        canonical.push(json!({"kind": kind, "payload": fields, "references": references}));
    }
    Ok((canonical, context))
}

/// Why a plan transition did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// The plan is missing (`None`) or in another state than the transition requires.
    State(Option<Status>),
    /// The plan store failed.
    Store(StoreError),
}

impl PlanError {
    /// The tool error text of `executePlan` (runtime-behavior §4.4).
    pub(crate) fn message(&self) -> String {
        match self {
            PlanError::State(status) => format!(
                "Invalid plan state for execution: {}",
                status.map_or("missing", |s| s.as_str())
            ),
            PlanError::Store(e) => e.to_string(),
        }
    }
}

fn plan_key(id: &str) -> String {
    format!("plan:{id}")
}

/// The plans of one tenant, as `plan:<id>` records of a [`Store`]. Every transition is a
/// compare-and-set on the record's version, so of two executors (threads or processes)
/// exactly one moves a plan along an edge.
pub struct PlanStore {
    store: Arc<dyn Store>,
    tenant: String,
}

impl PlanStore {
    pub(crate) fn new(store: Arc<dyn Store>, tenant: &str) -> Self {
        Self {
            store,
            tenant: tenant.to_string(),
        }
    }

    /// Whether plans live in `store` (so a transition can commit with a run's records).
    pub(crate) fn is_in(&self, store: &Arc<dyn Store>) -> bool {
        Arc::ptr_eq(&self.store, store)
    }

    /// Stores a new draft, replacing any plan with the same id.
    pub(crate) fn put_draft(
        &self,
        id: &str,
        owner: &str,
        actions: Vec<Value>,
        context: Map<String, Value>,
    ) -> Result<StoredPlan, StoreError> {
        let plan = StoredPlan {
            id: id.to_string(),
            owner: owner.to_string(),
            actions,
            status: Status::INITIAL,
            context,
            created_at: now(),
            approved_at: None,
            started_at: None,
            completed_at: None,
            failed_at: None,
            approved_by: None,
            outcome: None,
        };
        let op = Op::put(plan_key(id), plan.to_value());
        self.store.commit(&self.tenant, vec![op])?;
        Ok(plan)
    }

    fn read(&self, id: &str) -> Result<Option<(StoredPlan, i64)>, StoreError> {
        let Some(record) = self.store.get(&self.tenant, &plan_key(id))? else {
            return Ok(None);
        };
        Ok(StoredPlan::from_value(&record.value).map(|p| (p, record.version)))
    }

    /// The plan with this id.
    ///
    /// # Errors
    /// The store's.
    pub fn get(&self, id: &str) -> Result<Option<StoredPlan>, StoreError> {
        Ok(self.read(id)?.map(|(p, _)| p))
    }

    /// The write that approves draft plan `id`. Only a [`Granted`](crate::lifecycle::Granted)
    /// makes it: the evidence of a recorded approve decision (or of the runtime's own
    /// approval when no gate is required), consumed here, exactly as the typestate `approve`
    /// consumes it.
    pub(crate) fn approve_op(
        &self,
        id: &str,
        granted: crate::lifecycle::Granted,
    ) -> Result<Op, PlanError> {
        let plan = crate::lifecycle::PlanLifecycle::new(id).approve(granted);
        debug_assert_eq!(plan.state(), Status::Approved);
        self.prepare(id, Status::Draft, Status::Approved, None)
            .map(|(_, op)| op)
    }

    /// Commits a plan write on its own.
    pub(crate) fn commit(&self, op: Op) -> Result<(), StoreError> {
        self.store.commit(&self.tenant, vec![op])
    }

    /// The plan moved from `from` to `to` and the conditional write that stores it, to
    /// commit alone ([`PlanStore::advance`]) or with a run's own records.
    pub(crate) fn prepare(
        &self,
        id: &str,
        from: Status,
        to: Status,
        outcome: Option<Value>,
    ) -> Result<(StoredPlan, Op), PlanError> {
        let (mut plan, version) = self
            .read(id)
            .map_err(PlanError::Store)?
            .ok_or(PlanError::State(None))?;
        if plan.status != from {
            return Err(PlanError::State(Some(plan.status)));
        }
        plan.transition(to)
            .map_err(|_| PlanError::State(Some(plan.status)))?;
        if outcome.is_some() {
            plan.outcome = outcome;
        }
        let op = Op::Replace {
            key: plan_key(id),
            version,
            value: Arc::new(plan.to_value()),
        };
        Ok((plan, op))
    }

    /// What a lost compare-and-set means: the plan's state as it is now.
    pub(crate) fn lost(&self, id: &str, e: StoreError) -> PlanError {
        match e {
            StoreError::Conflict { .. } => match self.get(id) {
                Ok(plan) => PlanError::State(plan.map(|p| p.status)),
                Err(e) => PlanError::Store(e),
            },
            e => PlanError::Store(e),
        }
    }

    /// Moves plan `id` from `from` to `to` atomically: a compare-and-set in the store, so of
    /// two concurrent `executePlan` calls exactly one starts the dispatcher.
    #[cfg(test)]
    pub(crate) fn advance(
        &self,
        id: &str,
        from: Status,
        to: Status,
        outcome: Option<Value>,
    ) -> Result<StoredPlan, PlanError> {
        let (plan, op) = self.prepare(id, from, to, outcome)?;
        match self.store.commit(&self.tenant, vec![op]) {
            Ok(()) => Ok(plan),
            Err(e) => Err(self.lost(id, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_normalized_with_payload_and_references() {
        let body = json!({"goal": "g", "actions": [{"kind": "a", "x": 1, "references": [{"kind": "K", "id": "i"}]}]});
        let (actions, context) = normalize("P", &body).unwrap();
        assert_eq!(
            actions,
            vec![
                json!({"kind": "a", "payload": {"x": 1}, "references": [{"id": "i", "kind": "K"}]})
            ]
        );
        assert_eq!(Value::Object(context), json!({"goal": "g"}));
    }

    #[test]
    fn malformed_actions_have_exact_messages() {
        let cases = [
            (json!({}), "planner output for spec 'P' is missing the required `actions` field"),
            (json!({"actions": 1}), "`actions` for spec 'P' must be a JSON array"),
            (json!({"actions": []}), "planner output for spec 'P' produced an empty action sequence"),
            (json!({"actions": [1]}), "action #0 for spec 'P' failed to decode: action must be a JSON object"),
            (json!({"actions": [{"x": 1}]}), "action #0 for spec 'P' failed to decode: action is missing required string field `kind`"),
        ];
        for (body, message) in cases {
            assert_eq!(normalize("P", &body).unwrap_err(), message);
        }
        let bad_refs = json!({"actions": [{"kind": "a", "references": [{"kind": 1}]}]});
        let err = normalize("P", &bad_refs).unwrap_err();
        assert!(err.starts_with("action #0 for spec 'P' failed to decode: `references` did not match `[ArtifactRef]`: "), "{err}");
    }

    #[test]
    fn the_store_moves_plans_only_along_declared_edges() {
        let store = PlanStore::new(Arc::new(crate::store::MemoryStore::default()), "acme");
        let draft = store
            .put_draft(
                "p",
                "acme",
                vec![json!({"kind": "a", "payload": {}, "references": []})],
                Map::new(),
            )
            .unwrap();
        assert_eq!(store.get("p").unwrap(), Some(draft));
        assert_eq!(
            store
                .advance("p", Status::Approved, Status::Executing, None)
                .unwrap_err(),
            PlanError::State(Some(Status::Draft))
        );
        assert_eq!(
            store
                .advance("p", Status::Draft, Status::Executing, None)
                .unwrap_err(),
            PlanError::State(Some(Status::Draft))
        );
        let approved = store
            .advance("p", Status::Draft, Status::Approved, None)
            .unwrap();
        assert_eq!(approved.to_value()["approvedBy"], "runtime");
        store
            .advance("p", Status::Approved, Status::Executing, None)
            .unwrap();
        // A second executor loses the race: the plan is no longer `approved`.
        assert_eq!(
            store
                .advance("p", Status::Approved, Status::Executing, None)
                .unwrap_err(),
            PlanError::State(Some(Status::Executing))
        );
    }
}
