//! The live interpreter (runtime-behavior §6.4): one agent turn is a tool loop on a
//! [`Provider`]. Each model step emits `step-start`, streams `text` and `reasoning`,
//! dispatches the step's tool calls through the agent's dispatcher (which emits the
//! `tool-invocation` pairs), feeds the results back and closes with `finish`
//! (`tool-calls`, usage cumulative for the turn). The last step is closed by
//! `data-cost-summary` (the agent's usage for the turn),
//! `data-latency-summary` and `finish` (`stop`, or `length` when the output limit or the
//! agent's `max_turns`, default 16, ran out).

use super::{Interpreter, CANCELLED};
use crate::agent::Turn;
use crate::event::{
    AgentUsage, CostSummary, FinishReason, LatencySummary, StreamPart, ToolTiming, Usage,
};
use crate::provider::{
    self, Message, ModelRequest, Provider, ProviderError, ProviderEvent, Reasoning, Recorder,
    Replay, Router, StopReason, TokenUsage, ToolCall,
};
use crate::spec::{RuntimeSpec, SpecError};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Model steps per agent turn when the agent sets no `max_turns`.
pub(crate) const DEFAULT_MAX_TURNS: u32 = 16;

/// Runs every agent on `provider` (a transport, a [`Router`], a [`Recorder`], a [`Replay`]).
pub(crate) fn with_provider(provider: Arc<dyn Provider>) -> Box<dyn Interpreter> {
    Box::new(Live { provider })
}

/// `interpreter="live"`: every agent on the provider its model routes to, optionally
/// recording every model call to the cassette `record_to`.
///
/// # Errors
/// Checks 11/12 for an agent whose provider key is undeclared or has no transport;
/// [`SpecError::Provider`] for an unusable provider config or cassette path.
pub(crate) fn build(
    spec: &RuntimeSpec,
    record_to: Option<&Path>,
) -> Result<Box<dyn Interpreter>, SpecError> {
    recording(Arc::new(Router::from_spec(spec)?), record_to)
}

/// `interpreter="anthropic"` (`key = "anthropic"`) or `"openai"` (`"openai-compatible"`):
/// every agent on the transport of `key`, configured by `spec.providers[key]`.
///
/// # Errors
/// As [`build`]; the missing-provider error names the first agent.
pub(crate) fn build_on(
    spec: &RuntimeSpec,
    key: &str,
    record_to: Option<&Path>,
) -> Result<Box<dyn Interpreter>, SpecError> {
    let agent = spec.agents.first();
    let names = || {
        let a = agent.map(|a| (a.name.clone(), a.model.id.clone()));
        a.unwrap_or_default()
    };
    let config = spec.providers.get(key).ok_or_else(|| {
        let (agent, model) = names();
        SpecError::ProviderMissing {
            agent,
            provider: key.to_string(),
            model,
        }
    })?;
    let transport = provider::build(key, config)
        .map_err(|e| SpecError::Provider(e.to_string()))?
        .ok_or_else(|| {
            let (agent, model) = names();
            SpecError::NoInterpreter {
                agent,
                provider: key.to_string(),
                model,
            }
        })?;
    recording(transport, record_to)
}

/// `interpreter="replay"`: every model call is served from the cassette at `path`.
///
/// # Errors
/// [`SpecError::Provider`] with the cassette error when it cannot be read or parsed.
pub(crate) fn replay(path: &Path) -> Result<Box<dyn Interpreter>, SpecError> {
    let replay = Replay::open(path).map_err(|e| SpecError::Provider(e.to_string()))?;
    Ok(with_provider(Arc::new(replay)))
}

fn recording(
    provider: Arc<dyn Provider>,
    record_to: Option<&Path>,
) -> Result<Box<dyn Interpreter>, SpecError> {
    Ok(with_provider(match record_to {
        None => provider,
        Some(path) => {
            Arc::new(Recorder::new(provider, path).map_err(|e| SpecError::Provider(e.to_string()))?)
        }
    }))
}

/// Stands in for [`InterpreterKind::Live`](super::InterpreterKind::Live) until the runtime
/// builds it from its spec with [`build`]: every turn fails with a clear message.
pub(crate) struct Unbuilt;

impl Interpreter for Unbuilt {
    fn run_turn<'a, 'r>(&'a self, _turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async {
            Err("interpreter 'live' is built from the runtime spec; this runtime has no live providers".into())
        })
    }
}

struct Live {
    provider: Arc<dyn Provider>,
}

/// What one model step produced.
#[derive(Default)]
struct Reply {
    text: String,
    reasoning: Vec<Reasoning>,
    calls: Vec<ToolCall>,
    usage: TokenUsage,
    stop: Option<StopReason>,
}

impl Interpreter for Live {
    fn run_turn<'a, 'r>(&'a self, turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.turn(turn))
    }
}

fn finish(reason: FinishReason, usage: TokenUsage) -> StreamPart {
    StreamPart::Finish {
        finish_reason: reason,
        usage: Usage::from(usage),
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Live {
    async fn turn(&self, turn: &mut Turn<'_>) -> Result<(), String> {
        let started = Instant::now();
        let agent = turn.agent();
        let max_turns = agent.max_turns.unwrap_or(DEFAULT_MAX_TURNS).max(1);
        let mut request = ModelRequest {
            provider: agent.model.provider_key().to_string(),
            model: agent.model.id.clone(),
            system: agent.system_prompt.clone(),
            messages: history(turn.history()),
            tools: turn.tool_defs().to_vec(),
            max_tokens: None,
        };
        request.messages.push(Message::user(turn.prompt()));
        let cancel = turn.cancel_token().clone();
        let mut stats = LatencySummary::default();
        let mut usage = TokenUsage::default();
        for step in 1..=max_turns {
            turn.emit(StreamPart::StepStart).await;
            if cancel.is_cancelled() {
                return Err(CANCELLED.into());
            }
            let reply = self
                .step(turn, request.clone(), &cancel, &mut stats)
                .await?;
            usage += reply.usage;
            let mut reason = match reply.stop {
                Some(StopReason::ToolCalls) if reply.calls.is_empty() => FinishReason::Stop,
                Some(r) => r.into(),
                None => {
                    return Err(format!(
                        "{}: the model stream ended without finishing",
                        self.provider.name()
                    ))
                }
            };
            let calls = reply.calls.clone();
            request.messages.push(Message::Assistant {
                reasoning: reply.reasoning,
                text: reply.text,
                tool_calls: reply.calls,
            });
            if !calls.is_empty() {
                for call in calls {
                    let result = dispatch(turn, call, &mut stats).await;
                    request.messages.push(result);
                    if cancel.is_cancelled() {
                        return Err(CANCELLED.into());
                    }
                }
                if step < max_turns {
                    turn.emit(finish(FinishReason::ToolCalls, usage)).await;
                    continue;
                }
                // The turn budget ran out before the model saw these results.
                reason = FinishReason::Length;
            }
            stats.total_duration_ms = millis(started);
            // The turn's usage for aggregation (events.md §2.13): one agent per turn; a
            // consumer sums the summaries of the agents of a run.
            let agent = AgentUsage {
                agent_name: turn.agent().name.clone(),
                model: turn.agent().model.id.clone(),
                usage: Usage::from(usage),
            };
            turn.emit(StreamPart::CostSummary(CostSummary {
                agents: vec![agent],
            }))
            .await;
            turn.emit(StreamPart::LatencySummary(stats)).await;
            turn.emit(finish(reason, usage)).await;
            return Ok(());
        }
        unreachable!("the last step always returns")
    }

    /// One model call: streams its text and reasoning as they arrive.
    async fn step(
        &self,
        turn: &mut Turn<'_>,
        request: ModelRequest,
        cancel: &CancellationToken,
        stats: &mut LatencySummary,
    ) -> Result<Reply, String> {
        let t0 = Instant::now();
        stats.llm_calls += 1;
        let mut stream = self.provider.stream(request, cancel.clone());
        let mut reply = Reply::default();
        let outcome = loop {
            let next = tokio::select! {
                biased;
                _ = cancel.cancelled() => break Err(CANCELLED.to_string()),
                next = stream.next() => next,
            };
            let event = match next {
                None => break Ok(()),
                Some(Ok(event)) => event,
                Some(Err(ProviderError::Cancelled)) => break Err(CANCELLED.to_string()),
                Some(Err(e)) => {
                    stats.had_timeout |= e.is_timeout();
                    break Err(e.to_string());
                }
            };
            match event {
                ProviderEvent::TextDelta { text } => {
                    reply.text.push_str(&text);
                    turn.text(text).await;
                }
                ProviderEvent::ReasoningDelta { text } => {
                    match reply.reasoning.last_mut() {
                        Some(r) if r.signature.is_none() => r.text.push_str(&text),
                        _ => reply.reasoning.push(Reasoning {
                            text: text.clone(),
                            signature: None,
                        }),
                    }
                    turn.emit(StreamPart::Reasoning { text }).await;
                }
                ProviderEvent::ReasoningSignature { signature } => {
                    if let Some(r) = reply.reasoning.last_mut() {
                        r.signature = Some(signature);
                    }
                }
                ProviderEvent::ToolCall(call) => reply.calls.push(call),
                ProviderEvent::Usage(u) => reply.usage += u,
                ProviderEvent::Finish { reason } => reply.stop = Some(reason),
                ProviderEvent::Retry { timeout, .. } => {
                    stats.retry_count += 1;
                    stats.had_timeout |= timeout;
                }
            }
        };
        stats.llm_time_ms += millis(t0);
        outcome.map(|()| reply)
    }
}

/// Runs one tool call through the dispatcher and times it; sub-agent calls count as
/// sub-agent time.
async fn dispatch(turn: &mut Turn<'_>, call: ToolCall, stats: &mut LatencySummary) -> Message {
    let t0 = Instant::now();
    let out = turn
        .dispatch(call.id.clone(), call.name.clone(), call.args)
        .await;
    let duration_ms = millis(t0);
    if call.name == "call_agent" {
        stats.sub_agent_time_ms += duration_ms;
    } else {
        stats.tool_time_ms += duration_ms;
    }
    stats.tool_timings.push(ToolTiming {
        tool_name: call.name.clone(),
        tool_call_id: call.id.clone(),
        duration_ms,
        is_error: out.is_error,
    });
    Message::ToolResult {
        call_id: call.id,
        name: call.name,
        content: out.content,
        is_error: out.is_error,
    }
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
