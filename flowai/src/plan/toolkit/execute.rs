//! The dispatch step of `executePlan` (runtime-behavior §4.4 steps 5-6): the
//! `approved -> executing` transition, reference hydration, the dispatcher call, the
//! recorded outcome, and the gate for a dispatch left in doubt by a stopped process.

use crate::agent::{Recorded, Run};
use crate::approval::gate::Gate;
use crate::approval::{ApprovalRequest, GateKind};
use crate::event::StreamPart;
use crate::lifecycle::PlanLifecycleState as Status;
use crate::plan::{DispatchContext, DispatchResult, PlanError, StoredPlan};
use crate::store::{Op, StoreError};
use crate::tool::ToolOutput;
use crate::trace::Span;
use serde_json::{json, Value};
use std::collections::BTreeSet;

impl Run {
    /// Steps 5-6 of §4.4: `approved -> executing` (one winner, recorded as the start of the
    /// dispatch step in the same transaction), hydrate, dispatch, record the outcome and
    /// `executing -> executed|failed` together.
    pub(super) async fn dispatch_plan(&self, plan_id: &str) -> ToolOutput {
        let (n, before) = self.log.step();
        match before {
            Some(r) if r["phase"] == "done" => {
                if let Ok(out) = serde_json::from_value::<Recorded>(r["v"].clone()) {
                    self.log.skip(&r);
                    return out.into();
                }
                return self.dispatch_in_doubt(n, plan_id).await;
            }
            Some(_) => return self.dispatch_in_doubt(n, plan_id).await,
            None => {}
        }
        let started = self.log.step_op(n, json!({"phase": "started"}));
        let plans = &self.rt.plans;
        let plan = match plans.prepare(plan_id, Status::Approved, Status::Executing, None) {
            Ok((plan, op)) => {
                let committed = if plans.is_in(self.log.store()) {
                    self.log.commit(vec![op, started])
                } else {
                    plans
                        .commit(op)
                        .and_then(|()| self.log.commit(vec![started]))
                };
                match committed {
                    Ok(()) => plan,
                    Err(StoreError::Conflict { key }) if key.starts_with("plan:") => {
                        let lost = plans.lost(plan_id, StoreError::Conflict { key });
                        let out = ToolOutput::error(lost.message());
                        return self.settle(n, out, None, Span::default());
                    }
                    Err(e) => return self.halt(e),
                }
            }
            Err(PlanError::Store(e)) => return self.halt(e),
            Err(e) => {
                let out = ToolOutput::error(e.message());
                return self.settle(n, out, None, Span::default());
            }
        };
        let start = self.log.mark();
        let (out, finish) = self.run_dispatcher(&plan).await;
        self.settle(n, out, finish, self.log.since(start))
    }

    /// Records the outcome of dispatch step `n`, with the plan's final transition; `span`
    /// is what a replay passes over with it.
    fn settle(&self, n: u64, out: ToolOutput, finish: Option<Op>, span: Span) -> ToolOutput {
        let mut record = crate::trace::recorded(&json!(Recorded::from(&out)), span);
        record["phase"] = json!("done");
        let done = self.log.step_op(n, record);
        let written = match finish {
            Some(op) if self.rt.plans.is_in(self.log.store()) => self.log.commit(vec![op, done]),
            Some(op) => self.rt.plans.commit(op).map(|()| self.log.push(done)),
            None => {
                self.log.push(done);
                Ok(())
            }
        };
        match written {
            Ok(()) => out,
            Err(e) => self.halt(e),
        }
    }

    /// A dispatch that started and did not finish before its process stopped: the
    /// dispatcher may or may not have carried the plan out. Someone decides: approve runs it
    /// again, reject fails the plan.
    async fn dispatch_in_doubt(&self, n: u64, plan_id: &str) -> ToolOutput {
        let start = self.log.mark();
        loop {
            // Recorded: a resumed run sees the plan as it was when this gate opened.
            let current = match self.rt.plans.get(plan_id) {
                Ok(plan) => plan.map(|p| p.to_value()),
                Err(e) => return self.halt(e),
            };
            let read: Option<Value> = self.memo(async { current }).await;
            let Some(plan) = read.as_ref().and_then(StoredPlan::from_value) else {
                return ToolOutput::error(format!("plan not found: {plan_id}"));
            };
            let data = json!({"planId": plan_id, "runId": self.log.id});
            self.out
                .emit(StreamPart::Data {
                    kind: "data-plan-in-doubt",
                    data,
                })
                .await;
            let request = ApprovalRequest {
                id: String::new(),
                run_id: String::new(),
                kind: GateKind::Plan,
                target: plan_id.to_string(),
                payload: plan.to_value(),
                resource_id: self.rt.spec.tenant.resource_id.clone(),
                thread_id: self.info.thread_id.clone(),
                correlation_id: plan_id.to_string(),
            };
            match self.gate(request, Vec::new()).await {
                Gate::Cancelled => {
                    return ToolOutput::error(format!("Plan {plan_id} approval was cancelled"))
                }
                Gate::Decided(_, Some(_granted)) if plan.status == Status::Executing => {
                    // Dispatching again is an effect of its own: if it is cut short too, the
                    // next resume asks again instead of repeating it.
                    let (m, before) = self.log.step();
                    match before {
                        Some(r) if r["phase"] == "done" => {
                            self.log.skip(&r);
                            let out = serde_json::from_value::<Recorded>(r["v"].clone())
                                .map(ToolOutput::from)
                                .unwrap_or_else(|e| ToolOutput::error(e.to_string()));
                            return self.settle(n, out, None, self.log.since(start));
                        }
                        Some(_) => continue,
                        None => {
                            let started = self.log.step_op(m, json!({"phase": "started"}));
                            if let Err(e) = self.log.commit(vec![started]) {
                                return self.halt(e);
                            }
                            let inner = self.log.mark();
                            let (out, finish) = self.run_dispatcher(&plan).await;
                            let out = self.settle(m, out, finish, self.log.since(inner));
                            return self.settle(n, out, None, self.log.since(start));
                        }
                    }
                }
                Gate::Decided(d, _) => {
                    let reason = d.feedback.unwrap_or_else(|| {
                        "the dispatch may have run before its process stopped; it was not run again"
                            .into()
                    });
                    let outcome = json!({"code": "in_doubt", "details": null, "message": reason, "state": "failed"});
                    let finish = self
                        .rt
                        .plans
                        .prepare(plan_id, Status::Executing, Status::Failed, Some(outcome))
                        .ok()
                        .map(|(_, op)| op);
                    let out = ToolOutput::error(format!("Dispatch failed: {reason}"));
                    return self.settle(n, out, finish, self.log.since(start));
                }
            }
        }
    }

    /// Hydrates the plan's references and calls the dispatcher; the result and the write
    /// that moves the plan to `executed` or `failed`.
    async fn run_dispatcher(&self, plan: &StoredPlan) -> (ToolOutput, Option<Op>) {
        let plan_id = plan.id.as_str();
        let finish = |to: Status, outcome: Value| {
            self.rt
                .plans
                .prepare(plan_id, Status::Executing, to, Some(outcome))
                .ok()
                .map(|(_, op)| op)
        };
        let fail = |message: String| {
            let outcome =
                json!({"code": null, "details": null, "message": message, "state": "failed"});
            (
                ToolOutput::error(format!("Dispatch failed: {message}")),
                finish(Status::Failed, outcome),
            )
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
        let out = ToolOutput::ok(result.tool_result(resolved_actions));
        (out, finish(Status::Executed, outcome))
    }
}
