//! One model step of the live interpreter as a recorded step of the run (`Run::memo_if`).
//!
//! The step streams the model's reply (`text` and `reasoning` events) and records what the
//! turn loop goes on with: the text, the reasoning blocks, the tool calls, the token usage,
//! the stop reason and the step's share of the latency summary. A resumed run replays the
//! recorded reply without calling the provider and passes over the events the step emitted
//! (they are in the journal already), so its new events continue the journal's sequence.
//!
//! A provider failure is recorded like a reply: the turn failed on it, and what followed
//! (the agent's `error` event, a calling agent's `Sub-agent failed` tool result and that
//! agent's next steps) is in the journal, so a replay must fail the same way instead of
//! asking the model again and taking another path. A step cut short by the run's
//! cancellation is not recorded (a cancelled run is not resumed; a run stopped because its
//! store failed calls the model again once it is resumed), nor is a step whose process
//! stopped mid-stream.
//!
//! When such a cut-short step had already journaled some of its events (a consumer saw
//! them), they stay in the journal, and the answer asked for again on resume is numbered
//! after them (`RunLog::step` catches the sequence up to the journal's end).

use super::super::CANCELLED;
use crate::agent::Turn;
use crate::event::{LatencySummary, StreamPart};
use crate::provider::{
    ModelRequest, Provider, ProviderError, ProviderEvent, Reasoning, StopReason, TokenUsage,
    ToolCall,
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// What one model step produced; it is also the step's record.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Reply {
    /// The reply text (all its `text` events, joined).
    #[serde(default)]
    pub(super) text: String,
    /// The reasoning blocks, with their signatures.
    #[serde(default)]
    pub(super) reasoning: Vec<Reasoning>,
    /// The tool calls, in the order the model made them.
    #[serde(default)]
    pub(super) calls: Vec<ToolCall>,
    /// Token usage of the call.
    #[serde(default)]
    pub(super) usage: TokenUsage,
    /// Why the model stopped; `None` when its stream ended without saying.
    #[serde(default)]
    pub(super) stop: Option<StopReason>,
    /// Time spent in the call.
    #[serde(default)]
    llm_time_ms: u64,
    /// Provider retries.
    #[serde(default)]
    retries: u64,
    /// Whether a request timed out (and was retried).
    #[serde(default)]
    had_timeout: bool,
}

impl Reply {
    /// Adds this step to the turn's latency summary (on replay too: the summary of a resumed
    /// turn counts the model calls made before the pause).
    pub(super) fn count(&self, stats: &mut LatencySummary) {
        stats.llm_calls += 1;
        stats.llm_time_ms += self.llm_time_ms;
        stats.retry_count += self.retries;
        stats.had_timeout |= self.had_timeout;
    }
}

/// One model call as a recorded step: the reply, or the failure message (see the module
/// doc for what is recorded). The reply's text joins the agent's response either way.
pub(super) async fn recorded(
    provider: &dyn Provider,
    turn: &mut Turn<'_>,
    request: ModelRequest,
    cancel: &CancellationToken,
) -> Result<Reply, String> {
    let run = turn.run();
    let call = stream(provider, turn, request, cancel);
    let outcome = run.memo_if(call, |_| !cancel.is_cancelled()).await;
    if let Ok(reply) = &outcome {
        turn.respond(&reply.text);
    }
    outcome
}

/// One model call: streams its text and reasoning as they arrive.
async fn stream(
    provider: &dyn Provider,
    turn: &Turn<'_>,
    request: ModelRequest,
    cancel: &CancellationToken,
) -> Result<Reply, String> {
    let t0 = Instant::now();
    let mut stream = provider.stream(request, cancel.clone());
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
            Some(Err(e)) => break Err(e.to_string()),
        };
        match event {
            ProviderEvent::TextDelta { text } => {
                reply.text.push_str(&text);
                turn.emit(StreamPart::Text { text }).await;
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
                reply.retries += 1;
                reply.had_timeout |= timeout;
            }
        }
    };
    reply.llm_time_ms = super::millis(t0);
    outcome.map(|()| reply)
}
