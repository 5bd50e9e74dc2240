//! The agent memory a live turn starts from: read once per turn as a recorded step, so a
//! resumed run sees the thread's history as it was when the turn first ran (not with the
//! turns other runs appended since), and converted to a conversation.

use crate::agent::Turn;
use crate::provider::{Message, ToolCall};
use serde_json::Value;

/// The stored memory of a stateful agent on the turn's thread, as the turn first read it.
/// A stateless agent has none (and records no step).
pub(super) async fn recorded(turn: &Turn<'_>) -> Vec<Message> {
    if !turn.agent().stateful {
        return Vec::new();
    }
    let memory: Option<Value> = turn.run().memo(async { turn.history() }).await;
    history(memory)
}

/// The stored memory `{"messages": [...]}` as a conversation: user and assistant entries,
/// and tool records `{arguments, callId, result, toolName}` as a call and its result.
fn history(memory: Option<Value>) -> Vec<Message> {
    let Some(Value::Array(entries)) =
        memory.and_then(|mut m| m.get_mut("messages").map(Value::take))
    else {
        return Vec::new();
    };
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let mut messages = Vec::new();
    for e in entries {
        match e.get("role").and_then(Value::as_str) {
            Some("user") => messages.push(Message::user(text(e.get("content")))),
            Some("assistant") => messages.push(Message::assistant(text(e.get("content")))),
            _ => {
                let (Some(id), Some(name)) = (
                    e.get("callId").and_then(Value::as_str),
                    e.get("toolName").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let result = e.get("result").cloned().unwrap_or(Value::Null);
                messages.push(Message::Assistant {
                    reasoning: Vec::new(),
                    text: String::new(),
                    tool_calls: vec![ToolCall {
                        id: id.to_string(),
                        name: name.to_string(),
                        args: e.get("arguments").cloned().unwrap_or(Value::Null),
                    }],
                });
                messages.push(Message::ToolResult {
                    call_id: id.to_string(),
                    name: name.to_string(),
                    is_error: result.get("error").is_some(),
                    content: result,
                });
            }
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn memory_becomes_a_conversation() {
        let memory = json!({"messages": [
            {"content": "weather?", "role": "user"},
            {"arguments": {"city": "Oslo"}, "callId": "t1", "result": {"temp": 3}, "toolName": "weather"},
            {"arguments": {}, "callId": "t2", "result": {"error": "boom"}, "toolName": "other"},
            {"content": "3 degrees", "role": "assistant"},
            {"unknown": true}
        ]});
        let m = history(Some(memory));
        assert_eq!(m.len(), 6);
        assert_eq!(m[0], Message::user("weather?"));
        assert!(
            matches!(&m[1], Message::Assistant { tool_calls, .. } if tool_calls[0].args == json!({"city": "Oslo"}))
        );
        assert!(
            matches!(&m[2], Message::ToolResult { is_error: false, call_id, .. } if call_id == "t1")
        );
        assert!(matches!(&m[4], Message::ToolResult { is_error: true, .. }));
        assert_eq!(m[5], Message::assistant("3 degrees"));
        assert!(history(None).is_empty());
    }
}
