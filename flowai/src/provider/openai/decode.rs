//! Chat Completions stream wire types (private) and the decoder that turns them into engine
//! events.

use crate::provider::sse::SseEvent;
use crate::provider::transport::WireDecoder;
use crate::provider::{ProviderError, ProviderEvent, StopReason, TokenUsage, ToolCall};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<ApiError>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    reasoning: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

impl From<Usage> for TokenUsage {
    fn from(u: Usage) -> Self {
        let cached = u
            .prompt_tokens_details
            .and_then(|d| d.cached_tokens)
            .unwrap_or(0);
        TokenUsage {
            input: u.prompt_tokens.saturating_sub(cached),
            output: u.completion_tokens,
            cache_read: cached,
            cache_creation: 0,
        }
    }
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "tool_calls" | "function_call" => StopReason::ToolCalls,
        "length" => StopReason::Length,
        "content_filter" => StopReason::ContentFilter,
        _ => StopReason::Stop,
    }
}

#[derive(Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

/// Decodes a Chat Completions event stream.
pub(super) struct Decoder {
    provider: String,
    calls: BTreeMap<usize, PartialCall>,
    usage: Option<TokenUsage>,
    stop: Option<StopReason>,
    done: bool,
}

impl Decoder {
    pub(super) fn new(provider: &str) -> Self {
        Self {
            provider: provider.to_string(),
            calls: BTreeMap::new(),
            usage: None,
            stop: None,
            done: false,
        }
    }

    /// Parses the reassembled tool calls, in index order.
    fn flush_calls(&mut self, out: &mut VecDeque<ProviderEvent>) -> Result<(), ProviderError> {
        for (index, c) in std::mem::take(&mut self.calls) {
            let id = if c.id.is_empty() {
                format!("call_{index}")
            } else {
                c.id
            };
            let args = if c.arguments.trim().is_empty() {
                Value::Object(Default::default())
            } else {
                serde_json::from_str(&c.arguments).map_err(|e| ProviderError::ToolArguments {
                    provider: self.provider.clone(),
                    id: id.clone(),
                    name: c.name.clone(),
                    message: e.to_string(),
                    raw: c.arguments.clone(),
                })?
            };
            out.push_back(ProviderEvent::ToolCall(ToolCall {
                id,
                name: c.name,
                args,
            }));
            // Some servers report `stop` for a reply that is only tool calls.
            if self.stop == Some(StopReason::Stop) {
                self.stop = Some(StopReason::ToolCalls);
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut VecDeque<ProviderEvent>) -> Result<(), ProviderError> {
        self.flush_calls(out)?;
        if let Some(usage) = self.usage {
            out.push_back(ProviderEvent::Usage(usage));
        }
        out.push_back(ProviderEvent::Finish {
            reason: self.stop.unwrap_or(StopReason::Stop),
        });
        self.done = true;
        Ok(())
    }
}

impl WireDecoder for Decoder {
    fn event(
        &mut self,
        event: SseEvent,
        out: &mut VecDeque<ProviderEvent>,
    ) -> Result<(), ProviderError> {
        if event.data.trim() == "[DONE]" {
            return self.finish(out);
        }
        let chunk: Chunk =
            serde_json::from_str(&event.data).map_err(|e| ProviderError::Decode {
                provider: self.provider.clone(),
                message: format!("invalid chunk: {e}"),
                raw: event.data.clone(),
            })?;
        if let Some(error) = chunk.error {
            return Err(ProviderError::Stream {
                provider: self.provider.clone(),
                kind: error.kind.unwrap_or_else(|| "error".into()),
                message: error.message,
            });
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
            let delta = choice.delta.unwrap_or_default();
            if let Some(text) = delta.reasoning_content.or(delta.reasoning) {
                if !text.is_empty() {
                    out.push_back(ProviderEvent::ReasoningDelta { text });
                }
            }
            if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                out.push_back(ProviderEvent::TextDelta { text });
            }
            for (position, d) in delta.tool_calls.into_iter().enumerate() {
                let call = self.calls.entry(d.index.unwrap_or(position)).or_default();
                if let Some(id) = d.id {
                    call.id = id;
                }
                if let Some(f) = d.function {
                    if let Some(name) = f.name.filter(|_| call.name.is_empty()) {
                        call.name = name;
                    }
                    if let Some(arguments) = f.arguments {
                        call.arguments.push_str(&arguments);
                    }
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.stop = Some(stop_reason(&reason));
                self.flush_calls(out)?;
            }
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.done
    }

    fn eof(&mut self, out: &mut VecDeque<ProviderEvent>) -> Result<(), ProviderError> {
        if self.stop.is_some() {
            // A server that closes after the last chunk without `data: [DONE]`.
            return self.finish(out);
        }
        Err(ProviderError::Truncated {
            provider: self.provider.clone(),
            expected: "`finish_reason` and `data: [DONE]`",
        })
    }
}
