//! Agent invocation and the turn loop (runtime-behavior §1, §4.1, §5): framing events,
//! memory of stateful agents, the per-agent dispatcher, and routing through `call_agent`.

use crate::approval::gate::Gate;
use crate::approval::policy::required;
use crate::approval::{AgentPolicy, GateKind, PredicateContext};
use crate::event::{CallState, Emitter, StreamPart};
use crate::runtime::RuntimeInner;
use crate::spec::AgentSpec;
use crate::spec::ApprovalRule;
use crate::tool::compose::{Slot, ToolSchema};
use crate::tool::ToolOutput;
use crate::trace::memo::Effect;
use crate::trace::{RunInfo, RunLog, RunStatus, Span};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

mod host;

pub(crate) use host::Recorded;

/// An agent compiled at runtime construction: its spec and its dispatcher table.
pub(crate) struct AgentRt {
    pub(crate) spec: AgentSpec,
    pub(crate) tools: BTreeMap<String, Slot>,
    /// The agent's approval rules.
    pub(crate) policy: AgentPolicy,
    /// The tools as a model is told about them, in dispatcher order.
    #[allow(dead_code)] // for the live interpreters
    pub(crate) defs: Vec<ToolSchema>,
}

/// One request: the runtime, the event channel, the cancellation token, the host extension,
/// and its journal.
pub(crate) struct Run {
    pub(crate) rt: Arc<RuntimeInner>,
    pub(crate) out: Emitter,
    pub(crate) cancel: CancellationToken,
    pub(crate) host: Option<Arc<dyn Any + Send + Sync>>,
    pub(crate) log: Arc<RunLog>,
    pub(crate) info: Arc<RunInfo>,
}

/// One agent turn as an interpreter sees it.
pub(crate) struct Turn<'r> {
    run: &'r Run,
    agent: &'r AgentRt,
    thread: &'r str,
    prompt: &'r str,
    response: String,
    tool_records: Vec<Value>,
}

// The futures of a turn are written as `fn -> impl Future` around an `async move` block
// rather than as `async fn`: an `async fn` keeps a second copy of its arguments for its
// whole life, and these futures nest inside every turn, a paused one included.
impl<'r> Turn<'r> {
    pub(crate) fn emit(&self, part: StreamPart) -> impl Future<Output = ()> + Send + use<'r> {
        self.run.out.emit(part)
    }

    /// Emits assistant text; it becomes part of the agent's response.
    pub(crate) fn text(&mut self, text: String) -> impl Future<Output = ()> + Send + use<'r> {
        self.response.push_str(&text);
        self.emit(StreamPart::Text { text })
    }

    /// Adds text to the agent's response without emitting it: the live interpreter emits
    /// a model step's text inside the recorded step and adds it here once the step returns,
    /// so a replayed step (whose events are already in the journal) still counts.
    pub(crate) fn respond(&mut self, text: &str) {
        self.response.push_str(text);
    }

    /// The run this turn belongs to (for its recorded steps).
    pub(crate) fn run(&self) -> &'r Run {
        self.run
    }

    pub(crate) fn prompt(&self) -> &str {
        self.prompt
    }

    /// The agent's spec (model, system prompt, `max_turns`, ...).
    #[allow(dead_code)] // for the live interpreters
    pub(crate) fn agent(&self) -> &AgentSpec {
        &self.agent.spec
    }

    /// The tools this agent may call, as a model is told about them.
    #[allow(dead_code)] // for the live interpreters
    pub(crate) fn tool_defs(&self) -> &[ToolSchema] {
        &self.agent.defs
    }

    /// The stored memory `{"messages": [...]}` of a stateful agent on this thread.
    #[allow(dead_code)] // for the live interpreters
    pub(crate) fn history(&self) -> Option<serde_json::Value> {
        if self.agent.spec.stateful {
            // A turn appended earlier in this run may still be buffered (if it cannot be
            // committed, the store's own error surfaces at the run's next durable point).
            let _ = self.run.log.flush_if_dirty();
            self.run
                .rt
                .memory
                .load(self.thread, &self.agent.spec.name)
                .ok()
                .flatten()
        } else {
            None
        }
    }

    /// The run's cancellation token (to stop in-flight provider streams promptly).
    #[allow(dead_code)] // for the live interpreters
    pub(crate) fn cancel_token(&self) -> &tokio_util::sync::CancellationToken {
        &self.run.cancel
    }

    pub(crate) fn has_tools(&self) -> bool {
        !self.agent.tools.is_empty()
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.run.cancel.is_cancelled()
    }

    /// Dispatches one tool call: `tool-invocation` call, the tool, its side events, result.
    #[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
    pub(crate) fn dispatch(
        &mut self,
        id: String,
        name: String,
        args: Value,
    ) -> impl Future<Output = ToolOutput> + Send + use<'_, 'r> {
        async move {
            let call = StreamPart::ToolInvocation {
                state: CallState::Call,
                tool_invocation_id: id.clone(),
                tool_name: name.clone(),
                args: args.clone(),
                result: None,
            };
            self.emit(call).await;
            let out = self.run_tool(&id, &name, &args).await;
            for part in &out.events {
                self.emit(part.clone()).await;
            }
            if self.agent.spec.stateful {
                self.tool_records.push(json!({
                    "arguments": args, "callId": id, "result": out.content, "toolName": name,
                }));
            }
            let result = StreamPart::ToolInvocation {
                state: CallState::Result,
                tool_invocation_id: id,
                tool_name: name,
                args,
                result: Some(out.content.clone()),
            };
            self.emit(result).await;
            out
        }
    }
}

impl<'r> Turn<'r> {
    /// The approval gate of a tool call (§9.4), then the tool itself.
    #[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
    fn run_tool<'a>(
        &'a self,
        id: &'a str,
        name: &'a str,
        args: &'a Value,
    ) -> impl Future<Output = ToolOutput> + Send + use<'a, 'r> {
        async move {
            let Some(slot) = self.agent.tools.get(name) else {
                return ToolOutput::error(format!("Unknown tool: {name}"));
            };
            if self.is_cancelled() {
                return ToolOutput::error("Cancelled");
            }
            let rule = self.agent.policy.tool_rule(name);
            if *rule != ApprovalRule::Never {
                let ctx = PredicateContext {
                    kind: GateKind::Tool,
                    target: name.to_string(),
                    tenant: self.run.rt.spec.tenant.resource_id.clone(),
                    host: self.run.host.clone(),
                };
                let predicates = self.run.rt.predicates.as_deref();
                // Recorded: a resumed run must meet the same gates as before.
                let gated = self.run.memo(required(rule, predicates, args, ctx)).await;
                if gated {
                    match self
                        .run
                        .gate(self.tool_request(id, name, args), Vec::new())
                        .await
                    {
                        Gate::Cancelled => {
                            return ToolOutput::error("Cancelled while awaiting approval")
                        }
                        Gate::Decided(d, None) => {
                            let reason = d.feedback.unwrap_or_else(|| "Approval rejected".into());
                            let content = json!({"do_not_retry": true, "error": "approval_rejected", "reason": reason, "rejected": true});
                            return ToolOutput {
                                content,
                                is_error: true,
                                events: Vec::new(),
                            };
                        }
                        // A recorded approve: the handler may run.
                        Gate::Decided(_, Some(_granted)) => {}
                    }
                }
            }
            match slot {
                Slot::CallAgent => self.run.call_agent(self.agent, id, args, self.thread).await,
                // Recorded: a resumed run neither stores a draft again nor sees later states.
                Slot::StorePlan => {
                    let out = self.run.memo(async { Recorded::from(&self.run.store_plan(args)) });
                    out.await.into()
                }
                Slot::GetPlan => {
                    let out = self.run.memo(async { Recorded::from(&self.run.get_plan(args)) });
                    out.await.into()
                }
                // Boxed, as the in-doubt path below: a large future on a rare path would
                // otherwise size every agent turn, a paused one included.
                Slot::ExecutePlan => {
                    Box::pin(self.run.execute_plan(self.agent, self.thread, args)).await
                }
                Slot::ResolveRef => crate::reference::tools::resolve_ref(&self.run.rt.references, args),
                Slot::GlimpseRef => crate::reference::tools::glimpse_ref(&self.run.rt.references, args),
                Slot::Unavailable { toolkit } => ToolOutput::error(format!(
                    "{name} is not available in this release of flowai (the {toolkit} toolkit has not landed)"
                )),
                Slot::Host(tool, idempotent) => {
                    let call = || self.call_host(tool, id, args);
                    if *idempotent {
                        // Safe to run again: no durable start, a replay re-runs an unfinished call.
                        return self.run.memo(call()).await.into();
                    }
                    match self.run.effect(tool.waits_on_host(), call).await {
                        Effect::Done(out) => out.into(),
                        Effect::InDoubt(step) => {
                            Box::pin(self.in_doubt(step, id, name, args, tool)).await
                        }
                        Effect::Failed(e) => self.run.halt(e),
                    }
                }
            }
        }
    }
}

impl Run {
    /// The store failed under a durable step: the run stops where it stands (it can be
    /// resumed once the store is back).
    pub(crate) fn halt(&self, error: crate::store::StoreError) -> ToolOutput {
        let message = error.to_string();
        self.log.halt(error);
        self.cancel.cancel();
        ToolOutput::error(message)
    }

    /// Invokes agent `index`: framing, memory, interpreter. `Err` carries the failure message
    /// after the agent's `error` event was emitted (no closing `tool-agent`).
    pub(crate) fn invoke<'a>(
        &'a self,
        index: usize,
        prompt: &'a str,
        thread: &'a str,
        invocation_id: &'a str,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let agent = &self.rt.agents[index];
            let framing = |state| StreamPart::ToolAgent {
                state,
                agent_name: agent.spec.name.clone(),
                tool_invocation_id: invocation_id.to_string(),
            };
            self.out.emit(framing(CallState::Call)).await;
            let mut turn = Turn {
                run: self,
                agent,
                thread,
                prompt,
                response: String::new(),
                tool_records: Vec::new(),
            };
            if let Err(message) = self.rt.interpreter.run_turn(&mut turn).await {
                self.out.emit(StreamPart::error(message.clone())).await;
                return Err(message);
            }
            let Turn {
                response,
                tool_records,
                ..
            } = turn;
            if agent.spec.stateful {
                self.remember(agent, thread, prompt, &response, tool_records);
            }
            self.out.emit(framing(CallState::Result)).await;
            Ok(response)
        })
    }

    /// Appends a stateful agent's turn to its memory, once: on replay the recorded step
    /// says it is there already.
    fn remember(
        &self,
        agent: &AgentRt,
        thread: &str,
        prompt: &str,
        response: &str,
        tools: Vec<Value>,
    ) {
        let (n, before) = self.log.step();
        if before.is_some() {
            return;
        }
        let memory = &self.rt.memory;
        let done = self
            .log
            .step_op(n, crate::trace::recorded(&Value::Null, Span::default()));
        // Turns sort by time, then by this process's append order, then by run and step
        // (unique).
        static APPENDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let count = APPENDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = crate::store::now_ms();
        let order = format!("{now:013}:{count:012}:{}:{n:08}", self.log.id);
        let op = memory.append_op(thread, &agent.spec.name, &order, prompt, response, tools);
        let written = if memory.is_in(self.log.store()) {
            // Committed with the run's next write; a read of memory flushes first.
            self.log.push(op);
            self.log.push(done);
            Ok(())
        } else {
            memory.commit(op).map(|()| self.log.push(done))
        };
        if let Err(e) = written {
            self.halt(e);
        }
    }

    /// The entry agent on the run record's prompt and thread: its failure adds
    /// `agent failed: <message>` and ends the stream.
    #[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
    pub(crate) fn entry(self, index: usize) -> impl Future<Output = ()> + Send {
        async move {
            let invocation_id = format!("inv-{}", self.log.id);
            let info = &self.info;
            let result = self
                .invoke(index, &info.prompt, &info.thread_id, &invocation_id)
                .await;
            let halted = self.log.halted();
            if let Some(halted) = halted.map(|h| format!("run {} stopped: {h}", self.log.id)) {
                // Nothing more can be recorded; the run stays resumable where it stood.
                self.out.emit(StreamPart::error(halted)).await;
                return;
            }
            let status = match &result {
                Ok(_) => RunStatus::Completed,
                Err(_) if self.cancel.is_cancelled() => RunStatus::Cancelled,
                Err(_) => RunStatus::Failed,
            };
            if let Err(message) = result {
                self.out
                    .emit(StreamPart::error(format!("agent failed: {message}")))
                    .await;
            }
            let _ = self.log.commit(vec![self.info.with_status(status).op()]);
        }
    }

    /// The `call_agent` tool (runtime-behavior §4.1).
    async fn call_agent(
        &self,
        caller: &AgentRt,
        call_id: &str,
        args: &Value,
        thread: &str,
    ) -> ToolOutput {
        let name = match args.get("agent").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => n,
            _ => return ToolOutput::error("Missing 'agent' name string"),
        };
        let routes = &caller.spec.routes;
        if !routes.iter().any(|r| r == name) {
            let list = routes
                .iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(", ");
            return ToolOutput::error(format!(
                "Agent '{name}' is not in this caller's allowed routes: [{list}]"
            ));
        }
        let Some(prompt) = args.get("prompt").and_then(Value::as_str) else {
            return ToolOutput::error("Missing 'prompt' string");
        };
        let Some(&index) = self.rt.by_name.get(name) else {
            let known = self
                .rt
                .agents
                .iter()
                .map(|a| format!("\"{}\"", a.spec.name));
            let known = known.collect::<Vec<_>>().join(", ");
            return ToolOutput::error(format!(
                "Unknown sub-agent '{name}'. Available agents: [{known}]"
            ));
        };
        let sub_thread = format!("{thread}-{name}");
        match self.invoke(index, prompt, &sub_thread, call_id).await {
            Ok(response) => ToolOutput::ok(json!({
                "agent": name,
                "model": self.rt.agents[index].spec.model.id,
                "response": response,
            })),
            Err(_) if self.cancel.is_cancelled() => {
                ToolOutput::error("Sub-agent invocation cancelled")
            }
            Err(message) => ToolOutput::error(format!("Sub-agent failed: {message}")),
        }
    }
}
