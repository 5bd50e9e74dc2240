//! The event stream protocol (`events.md`): [`StreamPart`], a closed sum type with a
//! `custom` escape hatch, and its wire form.
//!
//! The wire form of an event is a JSON object whose keys are sorted at every level
//! ([`StreamPart::to_value`] builds it; `serde_json` without `preserve_order` keeps object
//! keys sorted), so printing it shows exactly what the contract documents.
//!
//! # Examples
//!
//! ```
//! use flowai::event::StreamPart;
//! let part = StreamPart::Text { text: "hi".into() };
//! assert_eq!(part.to_value().to_string(), r#"{"text":"hi","type":"text"}"#);
//! ```

mod payload;
mod repr;
mod stream;
mod wire;

use serde_json::{Map, Value};

pub use payload::{
    AgentUsage, CallState, CostSummary, FinishReason, LatencySummary, ToolTiming, Usage,
};
pub use repr::python_repr;
#[cfg(feature = "runtime")]
pub use stream::{Buffered, Emitter, RunStream, CHANNEL_CAPACITY};

/// One event of a run's stream. The variants are the event types of `events.md` §2;
/// [`StreamPart::Data`] carries the `data-*` and approval/plan events whose payload is
/// plain JSON, and [`StreamPart::Custom`] is the domain escape hatch.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StreamPart {
    /// `text`: assistant text.
    Text {
        /// The text.
        text: String,
    },
    /// `reasoning`: model reasoning text.
    Reasoning {
        /// The text.
        text: String,
    },
    /// `step-start`.
    StepStart,
    /// `tool-invocation`: one `call` and one `result` per tool call.
    ToolInvocation {
        /// `call` or `result`.
        state: CallState,
        /// Tool-use id.
        tool_invocation_id: String,
        /// Tool name.
        tool_name: String,
        /// Tool input.
        args: Value,
        /// Result content (result events only).
        result: Option<Value>,
    },
    /// `tool-agent`: agent invocation framing.
    ToolAgent {
        /// `call` or `result`.
        state: CallState,
        /// Agent name.
        agent_name: String,
        /// `inv-<uuid>` for the entry agent, the `call_agent` tool-use id for sub-agents.
        tool_invocation_id: String,
    },
    /// `data-latency-summary`.
    LatencySummary(LatencySummary),
    /// `data-cost-summary`.
    CostSummary(CostSummary),
    /// `finish`: end of one interpreter turn.
    Finish {
        /// Why the turn ended.
        finish_reason: FinishReason,
        /// Usage of the turn.
        usage: Usage,
    },
    /// `error`: terminal for the agent that produced it.
    Error {
        /// Message.
        message: String,
        /// Optional machine-readable code.
        code: Option<String>,
    },
    /// An event whose whole payload is `data` (`approval-required`, `approval-decision`,
    /// `plan-status-change`, `data-flow-ui`, ...): `{"data": data, "type": kind}`.
    Data {
        /// The `type` discriminator.
        kind: &'static str,
        /// The payload.
        data: Value,
    },
    /// `custom`: `{"data", "event_type", "type": "custom"}`.
    Custom {
        /// Domain event type.
        event_type: String,
        /// Payload.
        data: Value,
    },
}

impl StreamPart {
    /// An `error` event without a code.
    pub fn error(message: impl Into<String>) -> Self {
        StreamPart::Error {
            message: message.into(),
            code: None,
        }
    }

    /// The `type` discriminator.
    pub fn type_name(&self) -> &'static str {
        match self {
            StreamPart::Text { .. } => "text",
            StreamPart::Reasoning { .. } => "reasoning",
            StreamPart::StepStart => "step-start",
            StreamPart::ToolInvocation { .. } => "tool-invocation",
            StreamPart::ToolAgent { .. } => "tool-agent",
            StreamPart::LatencySummary(_) => "data-latency-summary",
            StreamPart::CostSummary(_) => "data-cost-summary",
            StreamPart::Finish { .. } => "finish",
            StreamPart::Error { .. } => "error",
            StreamPart::Data { kind, .. } => kind,
            StreamPart::Custom { .. } => "custom",
        }
    }

    /// The wire object: camelCase keys, sorted at every level, optional fields omitted.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), Value::String(self.type_name().into()));
        match self {
            StreamPart::Text { text } | StreamPart::Reasoning { text } => {
                m.insert("text".into(), Value::String(text.clone()));
            }
            StreamPart::StepStart => {}
            StreamPart::ToolInvocation {
                state,
                tool_invocation_id,
                tool_name,
                args,
                result,
            } => {
                m.insert("state".into(), state.as_str().into());
                m.insert(
                    "toolInvocationId".into(),
                    tool_invocation_id.as_str().into(),
                );
                m.insert("toolName".into(), tool_name.as_str().into());
                m.insert("args".into(), args.clone());
                if let Some(r) = result {
                    m.insert("result".into(), r.clone());
                }
            }
            StreamPart::ToolAgent {
                state,
                agent_name,
                tool_invocation_id,
            } => {
                m.insert("agentName".into(), agent_name.as_str().into());
                m.insert("state".into(), state.as_str().into());
                m.insert(
                    "toolInvocationId".into(),
                    tool_invocation_id.as_str().into(),
                );
            }
            StreamPart::LatencySummary(s) => {
                m.insert("data".into(), s.to_value());
            }
            StreamPart::CostSummary(s) => {
                m.insert("data".into(), s.to_value());
            }
            StreamPart::Finish {
                finish_reason,
                usage,
            } => {
                m.insert("finishReason".into(), finish_reason.as_str().into());
                m.insert("usage".into(), usage.to_value());
            }
            StreamPart::Error { message, code } => {
                let mut e = Map::new();
                e.insert("message".into(), message.as_str().into());
                if let Some(c) = code {
                    e.insert("code".into(), c.as_str().into());
                }
                m.insert("error".into(), Value::Object(e));
            }
            StreamPart::Data { data, .. } => {
                m.insert("data".into(), data.clone());
            }
            StreamPart::Custom { event_type, data } => {
                m.insert("event_type".into(), event_type.as_str().into());
                m.insert("data".into(), data.clone());
            }
        }
        Value::Object(m)
    }
}

impl std::fmt::Display for StreamPart {
    /// Compact JSON of the wire object (the SSE `data:` payload).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finish_has_sorted_usage_with_total() {
        let usage = Usage {
            completion_tokens: 25,
            prompt_tokens: 50,
            ..Usage::default()
        };
        let part = StreamPart::Finish {
            finish_reason: FinishReason::Stop,
            usage,
        };
        assert_eq!(
            part.to_string(),
            r#"{"finishReason":"stop","type":"finish","usage":{"cacheCreationInputTokens":0,"cacheReadInputTokens":0,"completionTokens":25,"promptTokens":50,"totalTokens":75}}"#
        );
    }

    #[test]
    fn mock_latency_summary_is_exact() {
        let s = LatencySummary {
            llm_calls: 1,
            ..LatencySummary::default()
        };
        assert_eq!(
            StreamPart::LatencySummary(s).to_string(),
            r#"{"data":{"hadTimeout":false,"phases":{"llmCalls":1,"llmTimeMs":0,"subAgentTimeMs":0,"toolTimeMs":0},"retryCount":0,"toolTimings":[],"totalDurationMs":0},"type":"data-latency-summary"}"#
        );
    }

    #[test]
    fn cost_summary_totals_are_sums() {
        let u = |p, c| Usage {
            prompt_tokens: p,
            completion_tokens: c,
            ..Usage::default()
        };
        let s = CostSummary {
            agents: vec![
                AgentUsage {
                    agent_name: "a".into(),
                    model: "m".into(),
                    usage: u(10, 5),
                },
                AgentUsage {
                    agent_name: "b".into(),
                    model: "m".into(),
                    usage: u(2, 3),
                },
            ],
        };
        let v = StreamPart::CostSummary(s).to_value();
        assert_eq!(v["data"]["totalPromptTokens"], 12);
        assert_eq!(v["data"]["totalCompletionTokens"], 8);
        assert_eq!(v["data"]["totalTokens"], 20);
    }

    #[test]
    fn error_omits_absent_code_and_tool_invocation_omits_absent_result() {
        assert_eq!(
            StreamPart::error("boom").to_string(),
            r#"{"error":{"message":"boom"},"type":"error"}"#
        );
        let call = StreamPart::ToolInvocation {
            state: CallState::Call,
            tool_invocation_id: "scripted-tool-1".into(),
            tool_name: "echo".into(),
            args: json!({"value": "hello"}),
            result: None,
        };
        assert_eq!(
            call.to_string(),
            r#"{"args":{"value":"hello"},"state":"call","toolInvocationId":"scripted-tool-1","toolName":"echo","type":"tool-invocation"}"#
        );
    }
}
