//! The `plans` toolkit: `storePlan`, `getPlan`, `executePlan` (runtime-behavior §4.2-§4.4).

use super::{normalize, DispatchContext, DispatchResult};
use crate::agent::{AgentRt, Run};
use crate::approval::gate::Gate;
use crate::approval::policy::required;
use crate::approval::{ApprovalRequest, GateKind, Outcome, PredicateContext};
use crate::event::StreamPart;
use crate::lifecycle::{Granted, PlanLifecycleState as Status};
use crate::tool::ToolOutput;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;

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
                ToolOutput::ok(
                    self.rt
                        .plans
                        .put_draft(&plan_id, owner, actions, context)
                        .to_value(),
                )
            }
            Err(message) => ToolOutput::error(message),
        }
    }

    /// `getPlan`: the stored plan object, or `null`.
    pub(crate) fn get_plan(&self, args: &Value) -> ToolOutput {
        match input::<PlanIdInput>(args) {
            Ok(i) => ToolOutput::ok(
                self.rt
                    .plans
                    .get(&i.plan_id)
                    .map_or(Value::Null, |p| p.to_value()),
            ),
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
        let Some(plan) = self.rt.plans.get(&plan_id) else {
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
            if !required(
                &agent.policy.plans,
                self.rt.predicates.as_deref(),
                &payload,
                ctx,
            )
            .await
            {
                // No gate is required: the runtime itself grants the approval.
                if let Err(status) = self.rt.plans.approve(&plan_id, Granted::new()) {
                    return ToolOutput::error(format!(
                        "Invalid plan state for execution: {}",
                        status.as_str()
                    ));
                }
                self.out
                    .emit(status_change(&plan_id, "draft", "approved"))
                    .await;
            } else {
                let request = ApprovalRequest {
                    id: uuid::Uuid::new_v4().to_string(),
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
                        if let Err(status) = self.rt.plans.approve(&plan_id, granted) {
                            return ToolOutput::error(format!(
                                "Invalid plan state for execution: {}",
                                status.as_str()
                            ));
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

    /// Steps 5-6 of §4.4: `approved -> executing` (one winner), hydrate, dispatch, record.
    async fn dispatch_plan(&self, plan_id: &str) -> ToolOutput {
        let plan = match self
            .rt
            .plans
            .advance(plan_id, Status::Approved, Status::Executing, None)
        {
            Ok(plan) => plan,
            Err(status) => {
                return ToolOutput::error(format!(
                    "Invalid plan state for execution: {}",
                    status.as_str()
                ))
            }
        };
        let fail = |message: String| {
            let outcome =
                json!({"code": null, "details": null, "message": message, "state": "failed"});
            let _ =
                self.rt
                    .plans
                    .advance(plan_id, Status::Executing, Status::Failed, Some(outcome));
            ToolOutput::error(format!("Dispatch failed: {message}"))
        };
        let mut references = BTreeSet::new();
        for action in &plan.actions {
            for r in action["references"].as_array().into_iter().flatten() {
                references.insert((
                    r["kind"].as_str().unwrap_or("").to_string(),
                    r["id"].as_str().unwrap_or("").to_string(),
                ));
            }
        }
        let mut resolved = serde_json::Map::new();
        for (kind, id) in references {
            let Ok(value) = self.rt.references.resolve(&kind, &id) else {
                return fail(format!(
                    "reference required by plan is missing: kind={kind} id={id}"
                ));
            };
            let by_id = resolved
                .entry(kind)
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(by_id) = by_id {
                by_id.insert(id, value);
            }
        }
        let resolved_actions: Vec<Value> = plan
            .actions
            .iter()
            .map(|a| json!({"payload": a["payload"], "type": a["kind"]}))
            .collect();
        let ctx = DispatchContext {
            resolved_refs: Value::Object(resolved),
            host: self.host.clone(),
        };
        let returned = match &self.rt.dispatcher {
            Some(d) => d.dispatch(Value::Array(plan.actions.clone()), ctx).await,
            None => Ok(Value::Null),
        };
        let result = match returned.and_then(DispatchResult::from_return) {
            Ok(r) => r,
            Err(message) => return fail(format!("inner dispatcher failed: {message}")),
        };
        let outcome = json!({
            "details": result.details, "entitiesAffected": result.entities_affected,
            "state": "executed", "summary": result.summary,
        });
        if let Err(status) =
            self.rt
                .plans
                .advance(plan_id, Status::Executing, Status::Executed, Some(outcome))
        {
            return ToolOutput::error(format!(
                "Invalid plan state for execution: {}",
                status.as_str()
            ));
        }
        ToolOutput::ok(result.tool_result(resolved_actions))
    }
}
