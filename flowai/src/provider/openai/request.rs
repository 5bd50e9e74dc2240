//! Chat Completions request wire types (private), converted from the engine's request.

use crate::provider::{Message, ModelRequest, ToolSchema};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub(super) struct Request<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    stream: bool,
    stream_options: StreamOptions,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: Function<'a>,
}

#[derive(Serialize)]
struct Function<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    parameters: &'a Value,
}

impl<'a> From<&'a ToolSchema> for Tool<'a> {
    fn from(t: &'a ToolSchema) -> Self {
        Tool {
            kind: "function",
            function: Function {
                name: &t.name,
                description: &t.description,
                parameters: &t.input_schema,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
enum WireMessage<'a> {
    System {
        content: &'a str,
    },
    User {
        content: &'a str,
    },
    Assistant {
        /// `null` when the reply is only tool calls.
        content: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<WireToolCall<'a>>,
    },
    Tool {
        tool_call_id: &'a str,
        content: String,
    },
}

#[derive(Serialize)]
struct WireToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: CallFunction<'a>,
}

#[derive(Serialize)]
struct CallFunction<'a> {
    name: &'a str,
    arguments: String,
}

impl<'a> From<&'a Message> for WireMessage<'a> {
    fn from(m: &'a Message) -> Self {
        match m {
            Message::User { text } => WireMessage::User { content: text },
            Message::Assistant {
                text, tool_calls, ..
            } => WireMessage::Assistant {
                content: (!text.is_empty() || tool_calls.is_empty()).then_some(text.as_str()),
                tool_calls: tool_calls
                    .iter()
                    .map(|c| WireToolCall {
                        id: &c.id,
                        kind: "function",
                        function: CallFunction {
                            name: &c.name,
                            arguments: c.args.to_string(),
                        },
                    })
                    .collect(),
            },
            // The error flag has no wire field; error content is `{"error": ...}` already.
            Message::ToolResult {
                call_id, content, ..
            } => WireMessage::Tool {
                tool_call_id: call_id,
                content: match content {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            },
        }
    }
}

impl<'a> Request<'a> {
    pub(super) fn new(r: &'a ModelRequest, max_tokens: Option<u32>) -> Self {
        let system = (!r.system.is_empty()).then_some(WireMessage::System { content: &r.system });
        // o-series reasoning models refuse `max_tokens`.
        let reasoning_model = ["o1", "o3", "o4"].iter().any(|p| r.model.starts_with(p));
        Request {
            model: &r.model,
            messages: system
                .into_iter()
                .chain(r.messages.iter().map(WireMessage::from))
                .collect(),
            tools: r.tools.iter().map(Tool::from).collect(),
            max_tokens: max_tokens.filter(|_| !reasoning_model),
            max_completion_tokens: max_tokens.filter(|_| reasoning_model),
            stream: true,
            stream_options: StreamOptions {
                include_usage: true,
            },
        }
    }
}
