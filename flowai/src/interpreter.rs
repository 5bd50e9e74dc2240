//! Interpreters decide an agent's next step. This release ships the deterministic ones:
//! `noop`, the testing mock (`mock_response`) and `scripted` (runtime-behavior §6).

pub(crate) mod live;

use crate::agent::Turn;
use crate::event::{FinishReason, LatencySummary, StreamPart, Usage};
use futures::future::BoxFuture;
use serde_json::Value;

/// Which interpreter a runtime runs every agent on.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum InterpreterKind {
    /// `step-start` then `finish`, no text, no tools.
    #[default]
    Noop,
    /// The prompt is a JSON tool script; tools, routing and plans run for real.
    Scripted,
    /// The testing mock: echoes the prompt, then answers `response`.
    Mock {
        /// The fixed answer text.
        response: String,
    },
    /// Every agent on the Anthropic Messages API (`providers["anthropic"]`).
    Anthropic,
    /// Every agent on an OpenAI-compatible Chat Completions server
    /// (`providers["openai-compatible"]`).
    OpenAi,
    /// Every model call served from the cassette `RuntimeOptions::replay_from`.
    Replay,
    /// Every agent on the provider its model routes to (runtime-behavior §7), built from
    /// the spec's `providers` by the runtime.
    Live,
    /// Every agent on one provider the caller built: a transport, a
    /// [`Router`](crate::provider::Router), a [`Recorder`](crate::provider::Recorder) or a
    /// [`Replay`](crate::provider::Replay). Runs the live tool loop (runtime-behavior §6.4).
    Provider(crate::provider::ProviderHandle),
}

impl InterpreterKind {
    /// Parses the `interpreter=` keyword (`noop`, `scripted`, `anthropic`, `openai`, `live`,
    /// `replay`).
    ///
    /// # Errors
    /// The exact check-2 message for any other value.
    pub fn parse(name: &str) -> Result<Self, crate::spec::SpecError> {
        match name {
            "noop" => Ok(Self::Noop),
            "scripted" => Ok(Self::Scripted),
            "anthropic" => Ok(Self::Anthropic),
            "openai" => Ok(Self::OpenAi),
            "live" => Ok(Self::Live),
            "replay" => Ok(Self::Replay),
            other => Err(crate::spec::SpecError::UnknownInterpreter(
                other.to_string(),
            )),
        }
    }
}

/// Runs one turn of one agent. `Err(message)` fails the agent; the caller emits the `error`.
pub(crate) trait Interpreter: Send + Sync {
    fn run_turn<'a, 'r>(&'a self, turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>>;
}

pub(crate) fn build_simple(kind: &InterpreterKind) -> Box<dyn Interpreter> {
    match kind {
        InterpreterKind::Noop => Box::new(Noop),
        // Built from the spec by the runtime (`live::build*`); this is never reached there.
        InterpreterKind::Anthropic | InterpreterKind::OpenAi | InterpreterKind::Replay => {
            Box::new(live::Unbuilt)
        }
        InterpreterKind::Scripted => Box::new(Scripted),
        InterpreterKind::Mock { response } => Box::new(Mock {
            response: response.clone(),
        }),
        InterpreterKind::Live => Box::new(live::Unbuilt),
        InterpreterKind::Provider(p) => live::with_provider(p.0.clone()),
    }
}

const CANCELLED: &str = "Request cancelled";

fn finish(usage: Usage) -> StreamPart {
    StreamPart::Finish {
        finish_reason: FinishReason::Stop,
        usage,
    }
}

struct Noop;

impl Interpreter for Noop {
    fn run_turn<'a, 'r>(&'a self, turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            turn.emit(StreamPart::StepStart).await;
            if turn.is_cancelled() {
                return Err(CANCELLED.into());
            }
            turn.emit(finish(Usage::default())).await;
            Ok(())
        })
    }
}

struct Mock {
    response: String,
}

impl Interpreter for Mock {
    fn run_turn<'a, 'r>(&'a self, turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            turn.emit(StreamPart::StepStart).await;
            if turn.is_cancelled() {
                return Err(CANCELLED.into());
            }
            let echo = format!("Received: {}\n\n", turn.prompt());
            turn.text(echo).await;
            turn.text(self.response.clone()).await;
            if turn.is_cancelled() {
                return Err(CANCELLED.into());
            }
            let summary = LatencySummary {
                llm_calls: 1,
                ..LatencySummary::default()
            };
            turn.emit(StreamPart::LatencySummary(summary)).await;
            let usage = Usage {
                prompt_tokens: 50,
                completion_tokens: 25,
                ..Usage::default()
            };
            turn.emit(finish(usage)).await;
            Ok(())
        })
    }
}

struct Scripted;

/// The calls of a scripted prompt, or `None` when the prompt is not a script.
pub(crate) fn parse_script(prompt: &str) -> Option<Vec<(String, Value)>> {
    let Ok(Value::Object(mut root)) = serde_json::from_str::<Value>(prompt) else {
        return None;
    };
    let call = |v: Value| -> Option<(String, Value)> {
        let Value::Object(mut m) = v else { return None };
        let tool = m.remove("tool")?.as_str()?.to_string();
        Some((tool, m.remove("args").unwrap_or(Value::Null)))
    };
    if root.contains_key("tool") {
        return call(Value::Object(root)).map(|c| vec![c]);
    }
    match root.remove("script")? {
        Value::Array(items) => items.into_iter().map(call).collect(),
        _ => None,
    }
}

impl Interpreter for Scripted {
    fn run_turn<'a, 'r>(&'a self, turn: &'a mut Turn<'r>) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            turn.emit(StreamPart::StepStart).await;
            if turn.is_cancelled() {
                return Err(CANCELLED.into());
            }
            let Some(mut calls) = parse_script(turn.prompt()) else {
                let text = turn.prompt().to_string();
                turn.text(text).await;
                turn.emit(finish(Usage::default())).await;
                return Ok(());
            };
            if !turn.has_tools() {
                return Err("scripted interpreter has no dispatcher".into());
            }
            // Taken in place: an iterator's item would be kept through each call.
            for (i, call) in calls.iter_mut().enumerate() {
                let (tool, args) = std::mem::take(call);
                let id = format!("scripted-tool-{}", i + 1);
                let out = turn.dispatch(id, tool, args).await;
                if !out.is_error {
                    turn.text(out.content.to_string()).await;
                }
                if turn.is_cancelled() {
                    return Err(CANCELLED.into());
                }
            }
            turn.emit(finish(Usage::default())).await;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_script;
    use serde_json::json;

    #[test]
    fn script_forms() {
        assert_eq!(
            parse_script(r#"{"tool":"echo"}"#),
            Some(vec![("echo".into(), json!(null))])
        );
        let seq = parse_script(r#"{"script":[{"tool":"a","args":{"x":1}},{"tool":"b"}]}"#).unwrap();
        assert_eq!(
            seq,
            vec![("a".into(), json!({"x": 1})), ("b".into(), json!(null))]
        );
        assert_eq!(parse_script("hello"), None);
        assert_eq!(parse_script(r#"{"script":[{"nope":1}]}"#), None);
        assert_eq!(parse_script(r#"{"tool":7}"#), None);
    }
}
