//! The wire JSON of a [`StreamPart`] written straight from the typed event (keys sorted,
//! optional fields omitted), without building a `serde_json::Value` first: the journal
//! serializes every event of every run, so this is on the hot path.

use super::StreamPart;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// `{"code"?, "message"}` of an `error` event.
struct ErrorBody<'a> {
    message: &'a str,
    code: Option<&'a str>,
}

impl Serialize for ErrorBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(c) = self.code {
            m.serialize_entry("code", c)?;
        }
        m.serialize_entry("message", self.message)?;
        m.end()
    }
}

impl Serialize for StreamPart {
    /// The same JSON as [`StreamPart::to_value`], with its keys in the same (sorted) order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let kind = self.type_name();
        match self {
            StreamPart::Text { text } | StreamPart::Reasoning { text } => {
                m.serialize_entry("text", text)?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::StepStart => m.serialize_entry("type", kind)?,
            StreamPart::ToolInvocation {
                state,
                tool_invocation_id,
                tool_name,
                args,
                result,
            } => {
                m.serialize_entry("args", args)?;
                if let Some(r) = result {
                    m.serialize_entry("result", r)?;
                }
                m.serialize_entry("state", state.as_str())?;
                m.serialize_entry("toolInvocationId", tool_invocation_id)?;
                m.serialize_entry("toolName", tool_name)?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::ToolAgent {
                state,
                agent_name,
                tool_invocation_id,
            } => {
                m.serialize_entry("agentName", agent_name)?;
                m.serialize_entry("state", state.as_str())?;
                m.serialize_entry("toolInvocationId", tool_invocation_id)?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::LatencySummary(_) | StreamPart::CostSummary(_) => {
                // Small and rare: their `data` objects come from the typed summaries.
                let value = self.to_value();
                m.serialize_entry("data", &value["data"])?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::Finish { .. } => {
                let value = self.to_value();
                m.serialize_entry("finishReason", &value["finishReason"])?;
                m.serialize_entry("type", kind)?;
                m.serialize_entry("usage", &value["usage"])?;
            }
            StreamPart::Error { message, code } => {
                let body = ErrorBody {
                    message,
                    code: code.as_deref(),
                };
                m.serialize_entry("error", &body)?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::Data { data, .. } => {
                m.serialize_entry("data", data)?;
                m.serialize_entry("type", kind)?;
            }
            StreamPart::Custom { event_type, data } => {
                m.serialize_entry("data", data)?;
                m.serialize_entry("event_type", event_type)?;
                m.serialize_entry("type", kind)?;
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use serde_json::json;

    #[test]
    fn the_direct_serializer_writes_exactly_the_wire_value() {
        let parts = vec![
            StreamPart::Text {
                text: "a \"quoted\" {json}".into(),
            },
            StreamPart::Reasoning { text: "r".into() },
            StreamPart::StepStart,
            StreamPart::ToolInvocation {
                state: CallState::Call,
                tool_invocation_id: "t1".into(),
                tool_name: "x".into(),
                args: json!({"b": 1, "a": [1, {"z": null}]}),
                result: None,
            },
            StreamPart::ToolInvocation {
                state: CallState::Result,
                tool_invocation_id: "t1".into(),
                tool_name: "x".into(),
                args: json!({}),
                result: Some(json!({"ok": true})),
            },
            StreamPart::ToolAgent {
                state: CallState::Result,
                agent_name: "a".into(),
                tool_invocation_id: "inv-1".into(),
            },
            StreamPart::LatencySummary(LatencySummary::default()),
            StreamPart::CostSummary(CostSummary { agents: vec![] }),
            StreamPart::Finish {
                finish_reason: FinishReason::Stop,
                usage: Usage::default(),
            },
            StreamPart::error("boom"),
            StreamPart::Error {
                message: "m".into(),
                code: Some("c".into()),
            },
            StreamPart::Data {
                kind: "approval-required",
                data: json!({"id": "x"}),
            },
            StreamPart::Custom {
                event_type: "e".into(),
                data: json!([1]),
            },
        ];
        for part in parts {
            assert_eq!(
                serde_json::to_string(&part).unwrap(),
                part.to_value().to_string(),
                "{part:?}"
            );
        }
    }
}
