//! Record and replay: a [`Recorder`] wraps any provider and appends every model call to a
//! cassette; a [`Replay`] serves a cassette's calls again, in order, with no network.
//!
//! A cassette is JSON lines, one model call per line:
//! `{"events": [<ProviderEvent>...], "request": {"lastUser", "messages", "model",
//! "provider", "tools"}}`, plus `"error": "<message>"` when the call failed. Retry notices
//! are recorded too, so a replayed run reports the same `retryCount`.
//!
//! # Examples
//!
//! ```
//! use flowai::provider::{ModelRequest, Message, Provider, Replay};
//! use futures::StreamExt;
//!
//! let line = r#"{"events":[{"type":"text-delta","text":"hi"},{"type":"finish","reason":"stop"}],"request":{"lastUser":"hello","messages":1,"model":"m","provider":"anthropic","tools":[]}}"#;
//! let replay = Replay::from_jsonl("inline", line).unwrap();
//! let request = ModelRequest {
//!     provider: "anthropic".into(),
//!     model: "m".into(),
//!     messages: vec![Message::user("hello")],
//!     ..ModelRequest::default()
//! };
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let events: Vec<_> = replay.stream(request, Default::default()).collect().await;
//! assert_eq!(events.len(), 2);
//! # });
//! ```

use super::transport::failed;
use super::{Message, ModelRequest, Provider, ProviderError, ProviderEvent};
use futures::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// What a recorded call is matched on when it is replayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSummary {
    /// Provider key.
    pub provider: String,
    /// Model id.
    pub model: String,
    /// Tool names, in order.
    pub tools: Vec<String>,
    /// Number of messages.
    pub messages: usize,
    /// Text of the last user message.
    pub last_user: Option<String>,
}

impl From<&ModelRequest> for RequestSummary {
    fn from(r: &ModelRequest) -> Self {
        let last_user = r.messages.iter().rev().find_map(|m| match m {
            Message::User { text } => Some(text.clone()),
            _ => None,
        });
        RequestSummary {
            provider: r.provider.clone(),
            model: r.model.clone(),
            tools: r.tools.iter().map(|t| t.name.clone()).collect(),
            messages: r.messages.len(),
            last_user,
        }
    }
}

/// One recorded model call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Turn {
    request: RequestSummary,
    events: Vec<ProviderEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

struct Sink {
    path: String,
    file: Mutex<std::fs::File>,
}

impl Sink {
    fn write(&self, turn: &Turn) -> Result<(), ProviderError> {
        let mut line = serde_json::to_string(turn).expect("turns serialize");
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(line.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| ProviderError::Cassette {
                path: self.path.clone(),
                message: format!("cannot write: {e}"),
            })
    }
}

/// Records every model call of the wrapped provider to a cassette file.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<dyn Provider>,
    sink: Arc<Sink>,
}

impl Recorder {
    /// Wraps `inner`, creating (or truncating) the cassette at `path`.
    ///
    /// # Errors
    /// [`ProviderError::Cassette`] when the file cannot be created.
    pub fn new(inner: Arc<dyn Provider>, path: impl AsRef<Path>) -> Result<Self, ProviderError> {
        let path = path.as_ref();
        let file = std::fs::File::create(path).map_err(|e| ProviderError::Cassette {
            path: path.display().to_string(),
            message: format!("cannot create: {e}"),
        })?;
        Ok(Self {
            inner,
            sink: Arc::new(Sink {
                path: path.display().to_string(),
                file: Mutex::new(file),
            }),
        })
    }
}

struct Recording {
    inner: BoxStream<'static, Result<ProviderEvent, ProviderError>>,
    turn: Turn,
    sink: Arc<Sink>,
    done: bool,
}

impl Provider for Recorder {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
        let recording = Recording {
            turn: Turn {
                request: RequestSummary::from(&request),
                events: Vec::new(),
                error: None,
            },
            inner: self.inner.stream(request, cancel),
            sink: self.sink.clone(),
            done: false,
        };
        // A call abandoned before its end (the consumer dropped it) is not recorded.
        futures::stream::unfold(recording, |mut r| async move {
            if r.done {
                return None;
            }
            let item = match r.inner.next().await {
                Some(Ok(ev)) => {
                    r.turn.events.push(ev.clone());
                    return Some((Ok(ev), r));
                }
                Some(Err(e)) => {
                    r.turn.error = Some(e.to_string());
                    Err(e)
                }
                None => Ok(()),
            };
            r.done = true;
            let written = r.sink.write(&r.turn);
            match (item, written) {
                (Err(e), _) | (Ok(()), Err(e)) => Some((Err(e), r)),
                (Ok(()), Ok(())) => None,
            }
        })
        .boxed()
    }
}

/// Serves the calls of a cassette in order; a call that does not match the recording
/// fails with [`ProviderError::Cassette`].
pub struct Replay {
    path: String,
    turns: Mutex<(usize, VecDeque<Turn>)>,
}

impl Replay {
    /// Loads the cassette at `path`.
    ///
    /// # Errors
    /// [`ProviderError::Cassette`] when it cannot be read or a line is not a recorded call.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ProviderError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ProviderError::Cassette {
            path: path.display().to_string(),
            message: format!("cannot read: {e}"),
        })?;
        Self::from_jsonl(&path.display().to_string(), &text)
    }

    /// Parses cassette text; `label` names it in errors.
    ///
    /// # Errors
    /// [`ProviderError::Cassette`] naming the first line that is not a recorded call.
    pub fn from_jsonl(label: &str, text: &str) -> Result<Self, ProviderError> {
        let mut turns = VecDeque::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let turn = serde_json::from_str(line).map_err(|e| ProviderError::Cassette {
                path: label.to_string(),
                message: format!("line {} is not a recorded model call: {e}", n + 1),
            })?;
            turns.push_back(turn);
        }
        Ok(Self {
            path: label.to_string(),
            turns: Mutex::new((0, turns)),
        })
    }

    /// Recorded calls not served yet.
    pub fn remaining(&self) -> usize {
        self.turns.lock().unwrap_or_else(|p| p.into_inner()).1.len()
    }

    fn next_turn(&self, request: &ModelRequest) -> Result<Turn, ProviderError> {
        let mut guard = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let n = guard.0;
        let err = |message: String| ProviderError::Cassette {
            path: self.path.clone(),
            message,
        };
        let turn = guard.1.pop_front().ok_or_else(|| {
            err(format!(
                "the run made model call {n}, but only {} were recorded; re-record the cassette",
                n - 1
            ))
        })?;
        let asked = RequestSummary::from(request);
        if turn.request != asked {
            return Err(err(format!(
                "model call {n} does not match the recording: {}; re-record the cassette",
                diff(&turn.request, &asked)
            )));
        }
        Ok(turn)
    }
}

fn diff(recorded: &RequestSummary, asked: &RequestSummary) -> String {
    let mut out = Vec::new();
    let mut field = |name: &str, r: String, a: String| {
        if r != a {
            out.push(format!("{name} was {r}, now {a}"));
        }
    };
    field(
        "provider",
        recorded.provider.clone(),
        asked.provider.clone(),
    );
    field("model", recorded.model.clone(), asked.model.clone());
    field(
        "tools",
        format!("{:?}", recorded.tools),
        format!("{:?}", asked.tools),
    );
    field(
        "message count",
        recorded.messages.to_string(),
        asked.messages.to_string(),
    );
    field(
        "last user message",
        format!("{:?}", recorded.last_user),
        format!("{:?}", asked.last_user),
    );
    out.join(", ")
}

impl Provider for Replay {
    fn name(&self) -> &str {
        "replay"
    }

    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
        let turn = match self.next_turn(&request) {
            Ok(turn) => turn,
            Err(e) => return failed(e),
        };
        let mut items: VecDeque<_> = turn.events.into_iter().map(Ok).collect();
        items.extend(turn.error.map(|e| Err(ProviderError::Recorded(e))));
        futures::stream::unfold(Some(items), move |items| {
            let cancelled = cancel.is_cancelled();
            async move {
                let mut items = items?;
                if cancelled {
                    return Some((Err(ProviderError::Cancelled), None));
                }
                items.pop_front().map(|item| (item, Some(items)))
            }
        })
        .boxed()
    }
}
