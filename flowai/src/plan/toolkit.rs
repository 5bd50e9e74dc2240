//! The `plans` toolkit: `storePlan`, `getPlan`, `executePlan` (runtime-behavior §4.2-§4.4).

mod execute;

use super::{normalize, PlanError, StoredPlan};
use crate::agent::{AgentRt, Run};
use crate::approval::gate::Gate;
use crate::approval::policy::required;
use crate::approval::{ApprovalRequest, GateKind, Outcome, PredicateContext};
use crate::event::StreamPart;
use crate::lifecycle::{Granted, PlanLifecycleState as Status};
use crate::store::{Op, StoreError};
use crate::tool::ToolOutput;
use crate::trace::Span;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct StoreInput {
    #[serde(rename = "specName")]
    spec_name: String,
    #[serde(rename = "planId")]
    plan_id: String,
    body: Value,
}

#[derive(Deserialize)]
struct PlanIdInput {
    #[serde(rename = "planId")]
    plan_id: String,
}

fn input<T: for<'de> Deserialize<'de>>(args: &Value) -> Result<T, ToolOutput> {
    T::deserialize(args).map_err(|e| ToolOutput::error(format!("Invalid input: {e}")))
}

fn status_change(plan_id: &str, from: &str, to: &str) -> StreamPart {
    StreamPart::Data {
        kind: "plan-status-change",
        data: json!({"from": from, "planId": plan_id, "to": to}),
    }
}

impl Run {
    /// `storePlan`: validate the whole body, normalize the actions, store a draft.
    pub(crate) fn store_plan(&self, args: &Value) -> ToolOutput {
        let StoreInput {
            spec_name,
            plan_id,
            body,
        } = match input(args) {
            Ok(i) => i,
            Err(e) => return e,
        };
        let Some(compiled) = self.rt.plan_specs.get(&spec_name) else {
            return ToolOutput::error(format!("unknown plan spec: {spec_name}"));
        };
        let errors: Vec<String> = compiled.iter_errors(&body).map(|e| e.to_string()).collect();
        if !errors.is_empty() {
            let list = errors
                .iter()
                .map(|e| Value::String(e.clone()).to_string())
                .collect::<Vec<_>>();
            return ToolOutput::error(format!(
                "schema validation failed for spec '{spec_name}': [{}]",
                list.join(", ")
            ));
        }
        match normalize(&spec_name, &body) {
            Ok((actions, context)) => {
                let owner = &self.rt.spec.tenant.resource_id;
                match self.rt.plans.put_draft(&plan_id, owner, actions, context) {
                    Ok(plan) => ToolOutput::ok(plan.to_value()),
                    Err(e) => self.halt(e),
                }
            }
            Err(message) => ToolOutput::error(message),
        }
    }

    /// `getPlan`: the stored plan object, or `null`.
    pub(crate) fn get_plan(&self, args: &Value) -> ToolOutput {
        match input::<PlanIdInput>(args) {
            Ok(i) => match self.rt.plans.get(&i.plan_id) {
                Ok(plan) => ToolOutput::ok(plan.map_or(Value::Null, |p| p.to_value())),
                Err(e) => self.halt(e),
            },
            Err(e) => e,
        }
    }

    /// `executePlan`: the plan gate, then exactly one dispatch of an approved plan.
    pub(crate) async fn execute_plan(
        &self,
        agent: &AgentRt,
        thread: &str,
        args: &Value,
    ) -> ToolOutput {
        let plan_id = match input::<PlanIdInput>(args) {
            Ok(i) => i.plan_id,
            Err(e) => return e,
        };
        // Recorded: a resumed run sees the plan as it was when this call first ran.
        let current = match self.rt.plans.get(&plan_id) {
            Ok(plan) => plan.map(|p| p.to_value()),
            Err(e) => return self.halt(e),
        };
        let read: Option<Value> = self.memo(async { current }).await;
        let Some(plan) = read.as_ref().and_then(StoredPlan::from_value) else {
            return ToolOutput::error(format!("plan not found: {plan_id}"));
        };
        if plan.status == Status::Draft {
            let tenant = self.rt.spec.tenant.resource_id.clone();
            let ctx = PredicateContext {
                kind: GateKind::Plan,
                target: plan_id.clone(),
                tenant: tenant.clone(),
                host: self.host.clone(),
            };
            let payload = plan.to_value();
            let predicates = self.rt.predicates.as_deref();
            let gated = required(&agent.policy.plans, predicates, &payload, ctx);
            if !self.memo(gated).await {
                // No gate is required: the runtime itself grants the approval.
                if let Err(message) = self.approve_plan(&plan_id, Granted::new()).await {
                    return ToolOutput::error(message);
                }
                self.out
                    .emit(status_change(&plan_id, "draft", "approved"))
                    .await;
            } else {
                let request = ApprovalRequest {
                    id: String::new(),
                    run_id: String::new(),
                    kind: GateKind::Plan,
                    target: plan_id.clone(),
                    payload,
                    resource_id: tenant,
                    thread_id: thread.to_string(),
                    correlation_id: plan_id.clone(),
                };
                let opened = vec![status_change(&plan_id, "draft", "pending_approval")];
                let (decision, granted) = match self.gate(request, opened).await {
                    Gate::Cancelled => {
                        return ToolOutput::error(format!("Plan {plan_id} approval was cancelled"))
                    }
                    Gate::Decided(d, granted) => (d, granted),
                };
                let back = if decision.outcome == Outcome::Approve {
                    "approved"
                } else {
                    "draft"
                };
                self.out
                    .emit(status_change(&plan_id, "pending_approval", back))
                    .await;
                match decision.outcome {
                    Outcome::Approve => {
                        let granted = granted.expect("an approve decision carries its evidence");
                        if let Err(message) = self.approve_plan(&plan_id, granted).await {
                            return ToolOutput::error(message);
                        }
                    }
                    Outcome::Reject => {
                        let reason = decision.feedback.unwrap_or_else(|| "Plan rejected".into());
                        return ToolOutput::error(format!("Plan {plan_id} rejected: {reason}"));
                    }
                    Outcome::Revise { partial } => {
                        return ToolOutput::ok(json!({
                            "partial": partial, "plan_id": plan_id, "rejected": true, "should_revise": true,
                        }))
                    }
                }
            }
        }
        self.dispatch_plan(&plan_id).await
    }

    /// `draft -> approved`, recorded with the run so a resumed run does not try it twice.
    async fn approve_plan(&self, plan_id: &str, granted: Granted) -> Result<(), String> {
        let (n, before) = self.log.step();
        if let Some(r) = before {
            self.log.skip(&r);
            return serde_json::from_value(r["v"].clone()).unwrap_or(Ok(()));
        }
        let result = match self.rt.plans.approve_op(plan_id, granted) {
            Ok(op) => self.commit_plan(n, op).map_err(|e| e.message()),
            Err(e) => Err(e.message()),
        };
        if let Err(message) = &result {
            let record = crate::trace::recorded(&json!({"Err": message}), Span::default());
            self.log.push(self.log.step_op(n, record));
        }
        result
    }

    /// Commits a plan write together with step `n`'s record (one transaction when plans
    /// live in the run's store).
    fn commit_plan(&self, n: u64, op: Op) -> Result<(), PlanError> {
        let record = self.log.step_op(
            n,
            crate::trace::recorded(&json!({"Ok": null}), Span::default()),
        );
        let plans = &self.rt.plans;
        let committed = if plans.is_in(self.log.store()) {
            self.log.commit(vec![op, record])
        } else {
            plans.commit(op).map(|()| self.log.push(record))
        };
        committed.map_err(|e| match e {
            StoreError::Conflict { key } if key.starts_with("plan:") => plans.lost(
                &key["plan:".len()..],
                StoreError::Conflict { key: key.clone() },
            ),
            e => PlanError::Store(e),
        })
    }
}
