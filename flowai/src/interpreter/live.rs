//! The live interpreter (runtime-behavior §6.4): one agent turn is a tool loop on a
//! [`Provider`]. Each model step emits `step-start`, streams `text` and `reasoning`,
//! dispatches the step's tool calls through the agent's dispatcher (which emits the
//! `tool-invocation` pairs), feeds the results back and closes with `finish`
//! (`tool-calls`, usage cumulative for the turn). The last step is closed by
//! `data-cost-summary` (the agent's usage for the turn),
//! `data-latency-summary` and `finish` (`stop`, or `length` when the output limit or the
//! agent's `max_turns`, default 16, ran out).
//!
//! Durable: the turn's read of the agent's memory ([`history`]) and each model step
//! ([`step`]) are recorded steps of the run, so a resumed run replays the model's recorded
//! answers (and passes over the events they emitted) instead of calling the model again.

use super::{Interpreter, CANCELLED};
use crate::agent::Turn;
use crate::event::{
    AgentUsage, CostSummary, FinishReason, LatencySummary, StreamPart, ToolTiming, Usage,
};
use crate::provider::{
    self, Message, ModelRequest, Provider, Recorder, Replay, Router, StopReason, TokenUsage,
    ToolCall,
};
use crate::spec::{RuntimeSpec, SpecError};
use futures::future::BoxFuture;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

mod history;
mod step;

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
            messages: history::recorded(turn).await,
            tools: turn.tool_defs().to_vec(),
            max_tokens: None,
        };
        request.messages.push(Message::user(turn.prompt()));
        let cancel = turn.cancel_token().clone();
        let mut stats = LatencySummary::default();
        let mut usage = TokenUsage::default();
        for n in 1..=max_turns {
            turn.emit(StreamPart::StepStart).await;
            if cancel.is_cancelled() {
                return Err(CANCELLED.into());
            }
            let reply = step::recorded(&*self.provider, turn, request.clone(), &cancel).await?;
            reply.count(&mut stats);
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
                if n < max_turns {
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
