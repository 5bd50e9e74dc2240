//! Messages API stream wire types (private) and the decoder that turns them into engine
//! events.

use crate::provider::sse::SseEvent;
use crate::provider::transport::WireDecoder;
use crate::provider::{ProviderError, ProviderEvent, StopReason, TokenUsage, ToolCall};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: MessageStart,
    },
    ContentBlockStart {
        index: usize,
        content_block: ContentBlock,
    },
    ContentBlockDelta {
        index: usize,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: MessageDelta,
        #[serde(default)]
        usage: Option<Usage>,
    },
    MessageStop,
    Error {
        error: ApiError,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct MessageStart {
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    ThinkingDelta {
        thinking: String,
    },
    SignatureDelta {
        signature: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct MessageDelta {
    #[serde(default)]
    stop_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Usage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    message: String,
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "tool_use" => StopReason::ToolCalls,
        "max_tokens" | "model_context_window_exceeded" => StopReason::Length,
        "refusal" => StopReason::ContentFilter,
        _ => StopReason::Stop,
    }
}

/// A tool_use block being streamed.
struct OpenTool {
    id: String,
    name: String,
    json: String,
    initial: Value,
}

/// Decodes a Messages API event stream.
pub(super) struct Decoder {
    provider: String,
    tools: BTreeMap<usize, OpenTool>,
    usage: TokenUsage,
    stop: Option<StopReason>,
    done: bool,
}

impl Decoder {
    pub(super) fn new(provider: &str) -> Self {
        Self {
            provider: provider.to_string(),
            tools: BTreeMap::new(),
            usage: TokenUsage::default(),
            stop: None,
            done: false,
        }
    }

    fn usage(&mut self, u: Usage) {
        let set = |slot: &mut u64, v: Option<u64>| *slot = v.unwrap_or(*slot);
        set(&mut self.usage.input, u.input_tokens);
        set(&mut self.usage.output, u.output_tokens);
        set(
            &mut self.usage.cache_creation,
            u.cache_creation_input_tokens,
        );
        set(&mut self.usage.cache_read, u.cache_read_input_tokens);
    }

    fn close_tool(&mut self, index: usize) -> Result<Option<ProviderEvent>, ProviderError> {
        let Some(t) = self.tools.remove(&index) else {
            return Ok(None);
        };
        let args = if t.json.trim().is_empty() {
            match t.initial {
                Value::Null => Value::Object(Default::default()),
                v => v,
            }
        } else {
            serde_json::from_str(&t.json).map_err(|e| ProviderError::ToolArguments {
                provider: self.provider.clone(),
                id: t.id.clone(),
                name: t.name.clone(),
                message: e.to_string(),
                raw: t.json.clone(),
            })?
        };
        Ok(Some(ProviderEvent::ToolCall(ToolCall {
            id: t.id,
            name: t.name,
            args,
        })))
    }
}

impl WireDecoder for Decoder {
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ProviderEvent>,
    ) -> Result<(), ProviderError> {
        let parsed: StreamEvent =
            serde_json::from_str(&event.data).map_err(|e| ProviderError::Decode {
                provider: self.provider.clone(),
                message: format!(
                    "invalid `{}` event: {e}",
                    event.event.as_deref().unwrap_or("message")
                ),
                raw: event.data.clone(),
            })?;
        match parsed {
            StreamEvent::MessageStart { message } => self.usage(message.usage.unwrap_or_default()),
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => match content_block {
                ContentBlock::Text { text } if !text.is_empty() => {
                    out.push_back(ProviderEvent::TextDelta { text })
                }
                ContentBlock::Thinking { thinking } if !thinking.is_empty() => {
                    out.push_back(ProviderEvent::ReasoningDelta { text: thinking })
                }
                ContentBlock::ToolUse { id, name, input } => {
                    let tool = OpenTool {
                        id,
                        name,
                        json: String::new(),
                        initial: input,
                    };
                    self.tools.insert(index, tool);
                }
                _ => {}
            },
            StreamEvent::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => out.push_back(ProviderEvent::TextDelta { text }),
                BlockDelta::ThinkingDelta { thinking } => {
                    out.push_back(ProviderEvent::ReasoningDelta { text: thinking })
                }
                BlockDelta::SignatureDelta { signature } => {
                    out.push_back(ProviderEvent::ReasoningSignature { signature })
                }
                BlockDelta::InputJsonDelta { partial_json } => match self.tools.get_mut(&index) {
                    Some(t) => t.json.push_str(&partial_json),
                    None => {
                        return Err(ProviderError::Decode {
                            provider: self.provider.clone(),
                            message: format!("input_json_delta for block {index}, which is not an open tool_use block"),
                            raw: event.data,
                        })
                    }
                },
                BlockDelta::Other => {}
            },
            StreamEvent::ContentBlockStop { index } => out.extend(self.close_tool(index)?),
            StreamEvent::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason {
                    self.stop = Some(stop_reason(&reason));
                }
                self.usage(usage.unwrap_or_default());
            }
            StreamEvent::MessageStop => {
                let unclosed: Vec<usize> = self.tools.keys().copied().collect();
                for index in unclosed {
                    out.extend(self.close_tool(index)?);
                }
                out.push_back(ProviderEvent::Usage(self.usage));
                out.push_back(ProviderEvent::Finish {
                    reason: self.stop.unwrap_or(StopReason::Stop),
                });
                self.done = true;
            }
            StreamEvent::Error { error } => {
                return Err(ProviderError::Stream {
                    provider: self.provider.clone(),
                    kind: error.kind,
                    message: error.message,
                })
            }
            StreamEvent::Other => {}
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.done
    }

    fn eof(&mut self, _out: &mut VecDeque<ProviderEvent>) -> Result<(), ProviderError> {
        Err(ProviderError::Truncated {
            provider: self.provider.clone(),
            expected: "`message_stop`",
        })
    }
}
