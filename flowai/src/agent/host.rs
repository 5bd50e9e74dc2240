//! Host tools in a turn: one call of a tool's handler, its result as a step records it,
//! and a call left in doubt by a stopped process.

use super::Turn;
use crate::approval::gate::Gate;
use crate::approval::{ApprovalRequest, GateKind};
use crate::event::StreamPart;
use crate::tool::{ToolContext, ToolOutput};
use crate::trace::memo::Effect;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// A tool result as a step records it.
#[derive(Serialize, Deserialize)]
pub(crate) struct Recorded {
    content: Value,
    #[serde(rename = "isError")]
    is_error: bool,
    /// The side events (wire form) emitted before the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    events: Vec<Value>,
}

impl From<&ToolOutput> for Recorded {
    fn from(out: &ToolOutput) -> Self {
        Self {
            content: out.content.clone(),
            is_error: out.is_error,
            events: out.events.iter().map(StreamPart::to_value).collect(),
        }
    }
}

/// A tool's side event back from its wire form: text, or a `data-*` payload.
fn side_event(wire: &Value) -> Option<StreamPart> {
    const KINDS: [&str; 1] = ["data-flow-ui"];
    let kind = wire["type"].as_str()?;
    if kind == "text" {
        let text = wire["text"].as_str()?.to_string();
        return Some(StreamPart::Text { text });
    }
    let kind = KINDS.iter().find(|k| **k == kind)?;
    Some(StreamPart::Data {
        kind,
        data: wire["data"].clone(),
    })
}

impl From<Recorded> for ToolOutput {
    fn from(r: Recorded) -> Self {
        ToolOutput {
            content: r.content,
            is_error: r.is_error,
            events: r.events.iter().filter_map(side_event).collect(),
        }
    }
}

impl Turn<'_> {
    /// One call of a host tool's handler, ended early by the run's cancellation.
    pub(super) async fn call_host(
        &self,
        tool: &Arc<dyn crate::tool::Tool>,
        id: &str,
        args: &Value,
    ) -> Recorded {
        let ctx = ToolContext {
            tool_use_id: id.to_string(),
            agent_name: self.agent.spec.name.clone(),
            thread_id: self.thread.to_string(),
            resource_id: self.run.rt.spec.tenant.resource_id.clone(),
            host: self.run.host.clone(),
            references: self.run.rt.references.clone(),
        };
        let out = tokio::select! {
            biased;
            out = tool.call(args.clone(), ctx) => out,
            _ = self.run.cancel.cancelled() => ToolOutput::error("Cancelled"),
        };
        Recorded::from(&out)
    }

    /// The approval a call of host tool `name` waits on (before it runs, or when it is in
    /// doubt); the gate fills in its id and run.
    pub(super) fn tool_request(&self, id: &str, name: &str, args: &Value) -> ApprovalRequest {
        ApprovalRequest {
            id: String::new(),
            run_id: String::new(),
            kind: GateKind::Tool,
            target: name.to_string(),
            payload: args.clone(),
            resource_id: self.run.rt.spec.tenant.resource_id.clone(),
            thread_id: self.thread.to_string(),
            correlation_id: id.to_string(),
        }
    }

    /// A host tool call that started and did not finish before its process stopped: it
    /// may or may not have had its effect. It is not run again unless someone approves.
    pub(super) async fn in_doubt(
        &self,
        step: u64,
        id: &str,
        name: &str,
        args: &Value,
        tool: &Arc<dyn crate::tool::Tool>,
    ) -> ToolOutput {
        let start = self.run.log.mark();
        let out = loop {
            let data = json!({
                "args": args, "runId": self.run.log.id, "toolInvocationId": id, "toolName": name,
            });
            self.emit(StreamPart::Data {
                kind: "data-tool-in-doubt",
                data,
            })
            .await;
            match self
                .run
                .gate(self.tool_request(id, name, args), Vec::new())
                .await
            {
                Gate::Cancelled => return ToolOutput::error("Cancelled while awaiting approval"),
                Gate::Decided(_, Some(_granted)) => {
                    let call = || self.call_host(tool, id, args);
                    // Running it again is an effect of its own: if this attempt is cut short
                    // too, the next resume asks again instead of repeating it.
                    match self.run.effect(tool.waits_on_host(), call).await {
                        Effect::Done(out) => break ToolOutput::from(out),
                        Effect::InDoubt(_) => continue,
                        Effect::Failed(e) => return self.run.halt(e),
                    }
                }
                Gate::Decided(d, None) => {
                    let reason = d.feedback.unwrap_or_else(|| {
                        "the call may have run before its process stopped; it was not run again"
                            .into()
                    });
                    break ToolOutput {
                        content: json!({"do_not_retry": true, "error": "in_doubt", "reason": reason, "rejected": true}),
                        is_error: true,
                        events: Vec::new(),
                    };
                }
            }
        };
        // Settled: a later resume replays this outcome (passing over the in-doubt event and
        // its gate) instead of asking again.
        self.run
            .complete(step, &Recorded::from(&out), self.run.log.since(start));
        out
    }
}
