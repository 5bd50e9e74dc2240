//! Messages API request wire types (private), converted from the engine's request.

use crate::provider::{Message, ModelRequest, ToolSchema};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub(super) struct Request<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    system: Vec<SystemBlock<'a>>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking: Option<Thinking>,
    stream: bool,
}

#[derive(Serialize)]
struct SystemBlock<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    cache_control: CacheControl,
}

#[derive(Serialize)]
struct CacheControl {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Thinking {
    #[serde(rename = "type")]
    kind: &'static str,
    budget_tokens: u32,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    input_schema: &'a Value,
}

impl<'a> From<&'a ToolSchema> for Tool<'a> {
    fn from(t: &'a ToolSchema) -> Self {
        Tool {
            name: &t.name,
            description: &t.description,
            input_schema: &t.input_schema,
        }
    }
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: Vec<Block<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: &'a str,
    },
    Thinking {
        thinking: &'a str,
        signature: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a Value,
    },
    ToolResult {
        tool_use_id: &'a str,
        content: String,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
}

impl<'a> From<&'a Message> for WireMessage<'a> {
    fn from(m: &'a Message) -> Self {
        match m {
            Message::User { text } => WireMessage {
                role: "user",
                content: vec![Block::Text { text }],
            },
            Message::Assistant {
                reasoning,
                text,
                tool_calls,
            } => {
                // Unsigned thinking cannot be sent back; empty text blocks are refused.
                let thinking = reasoning.iter().filter_map(|r| {
                    let signature = r.signature.as_deref()?;
                    Some(Block::Thinking {
                        thinking: &r.text,
                        signature,
                    })
                });
                let text = (!text.is_empty()).then_some(Block::Text { text });
                let calls = tool_calls.iter().map(|c| Block::ToolUse {
                    id: &c.id,
                    name: &c.name,
                    input: &c.args,
                });
                WireMessage {
                    role: "assistant",
                    content: thinking.chain(text).chain(calls).collect(),
                }
            }
            Message::ToolResult {
                call_id,
                content,
                is_error,
                ..
            } => WireMessage {
                role: "user",
                content: vec![Block::ToolResult {
                    tool_use_id: call_id,
                    content: match content {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                    is_error: *is_error,
                }],
            },
        }
    }
}

impl<'a> Request<'a> {
    pub(super) fn new(r: &'a ModelRequest, max_tokens: u32, thinking: Option<u32>) -> Self {
        // Consecutive messages of one role become one message (tool results, then text).
        let mut messages: Vec<WireMessage<'a>> = Vec::new();
        for m in r.messages.iter().map(WireMessage::from) {
            match messages.last_mut() {
                _ if m.content.is_empty() => {}
                Some(last) if last.role == m.role => last.content.extend(m.content),
                _ => messages.push(m),
            }
        }
        let system = (!r.system.is_empty())
            .then(|| SystemBlock {
                kind: "text",
                text: &r.system,
                cache_control: CacheControl { kind: "ephemeral" },
            })
            .into_iter()
            .collect();
        Request {
            model: &r.model,
            // Extended thinking needs room for the answer beyond its budget.
            max_tokens: thinking.map_or(max_tokens, |b| max_tokens.max(b + 1024)),
            system,
            messages,
            tools: r.tools.iter().map(Tool::from).collect(),
            thinking: thinking.map(|budget_tokens| Thinking {
                kind: "enabled",
                budget_tokens,
            }),
            stream: true,
        }
    }
}
