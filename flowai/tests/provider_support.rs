//! A loopback HTTP server that plays scripted replies (recorded SSE fixtures, error
//! statuses, hangs, aborted bodies) and records every request it receives. Included by the
//! `provider_*` test files with `#[path]`; on its own it has no tests.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use flowai::provider::{ProviderError, ProviderEvent};
use futures::StreamExt;
use serde_json::Value;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fake key; tests assert it never shows up in events or errors.
pub const SECRET: &str = "sk-test-SECRET-0123456789abcdef";

/// A recorded fixture stream.
pub fn fixture(path: &str) -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/providers")
        .join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A recorded fixture as JSON.
pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// What the server answers to one request.
pub enum Reply {
    /// `200 text/event-stream`, sent in small chunks.
    Sse(Vec<u8>),
    /// Sends these bytes, then aborts the connection mid-body.
    Abort(Vec<u8>),
    /// Sends these bytes, then never sends more nor ends.
    Stall(Vec<u8>),
    /// Waits, then answers with the inner reply.
    Delay(Duration, Box<Reply>),
    /// A status with headers and a JSON body.
    Status(u16, Vec<(&'static str, &'static str)>, String),
}

impl Reply {
    /// A recorded fixture stream.
    pub fn sse(path: &str) -> Self {
        Reply::Sse(fixture(path))
    }
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct State {
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

/// The running server.
pub struct FakeServer {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    state: Arc<State>,
}

impl FakeServer {
    /// Starts a server that answers requests with `replies`, in order.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let state = Arc::new(State {
            replies: Mutex::new(replies.into()),
            received: Mutex::default(),
        });
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let state = shared.clone();
            async move { handle(state, req).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Replies not consumed yet.
    pub fn unused(&self) -> usize {
        self.state.replies.lock().unwrap().len()
    }
}

async fn handle(state: Arc<State>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    state.received.lock().unwrap().push(Received {
        path: parts.uri.path().to_string(),
        headers: parts.headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    });
    let reply = state.replies.lock().unwrap().pop_front();
    let mut reply = reply.unwrap_or_else(|| Reply::Status(500, vec![], "no scripted reply".into()));
    while let Reply::Delay(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    let sse = |body: Body| {
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(body)
            .unwrap()
    };
    match reply {
        Reply::Sse(bytes) => sse(Body::from_stream(chunks(bytes).map(Ok::<_, Infallible>))),
        Reply::Abort(bytes) => {
            let cut = futures::stream::once(async {
                Err::<Bytes, _>(std::io::Error::other("connection reset by fake server"))
            });
            sse(Body::from_stream(chunks(bytes).map(Ok).chain(cut)))
        }
        Reply::Stall(bytes) => sse(Body::from_stream(
            chunks(bytes)
                .map(Ok::<_, Infallible>)
                .chain(futures::stream::pending()),
        )),
        Reply::Status(code, headers, body) => {
            let mut r = Response::builder()
                .status(StatusCode::from_u16(code).unwrap())
                .header("content-type", "application/json");
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.body(Body::from(body)).unwrap()
        }
        Reply::Delay(..) => unreachable!(),
    }
}

/// The bytes in 61-byte pieces with a pause between them, so events arrive split.
fn chunks(bytes: Vec<u8>) -> impl futures::Stream<Item = Bytes> + Send {
    let pieces: Vec<Bytes> = bytes.chunks(61).map(Bytes::copy_from_slice).collect();
    futures::stream::iter(pieces).then(|b| async move {
        tokio::time::sleep(Duration::from_micros(200)).await;
        b
    })
}

/// Drains a provider stream into its events and its error, if any.
pub async fn drain(
    mut stream: futures::stream::BoxStream<'static, Result<ProviderEvent, ProviderError>>,
) -> (Vec<ProviderEvent>, Option<ProviderError>) {
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(e) => {
                assert!(stream.next().await.is_none(), "nothing after an error");
                return (events, Some(e));
            }
        }
    }
    (events, None)
}

/// Asserts `SECRET` is nowhere in `text`.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(SECRET), "the API key leaked: {text}");
}

/// The weather tool's schema.
pub fn weather_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"]
    })
}

/// A runtime with one specialist `weather` whose Rust tool `get_weather` answers
/// `{"city", "temp_c"}` (3 for Oslo, 7 elsewhere), on `provider`.
pub fn weather_runtime(
    provider: Arc<dyn flowai::provider::Provider>,
    model: &str,
) -> flowai::Runtime {
    use flowai::provider::ProviderHandle;
    use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
    let def =
        ToolDef::new("get_weather", weather_schema()).description("Current weather for a city.");
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist(
            "weather",
            model,
            "You report the weather.",
        ))
        .tool("weather", def, |args, _ctx| async move {
            let city = args["city"].as_str().unwrap_or_default().to_string();
            let temp = if city == "Oslo" { 3 } else { 7 };
            Ok(serde_json::json!({"city": city, "temp_c": temp}))
        })
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(provider)))
        .build()
        .unwrap()
}

/// Wire form of the events with run-specific values (invocation ids, timings) blanked.
pub fn normalized(events: &[flowai::StreamPart]) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut v = e.to_value();
            if v["type"] == "tool-agent" {
                v["toolInvocationId"] = Value::from("<inv>");
            }
            if v["type"] == "data-latency-summary" {
                let d = &mut v["data"];
                d["totalDurationMs"] = 0.into();
                d["phases"]["llmTimeMs"] = 0.into();
                d["phases"]["toolTimeMs"] = 0.into();
                d["phases"]["subAgentTimeMs"] = 0.into();
                for t in d["toolTimings"].as_array_mut().into_iter().flatten() {
                    t["durationMs"] = 0.into();
                }
            }
            v
        })
        .collect()
}

/// The `type`s of the events.
pub fn types(events: &[flowai::StreamPart]) -> Vec<&'static str> {
    events.iter().map(|e| e.type_name()).collect()
}

/// A Messages API stream of one model step: an optional text block and an optional tool
/// call `(id, name, args)`.
pub fn anthropic_turn(text: Option<&str>, tool: Option<(&str, &str, Value)>) -> Reply {
    use serde_json::json;
    let mut s = String::from("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n");
    let mut block = |i: usize, start: Value, delta: Value| {
        let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
        s += &event(
            "content_block_start",
            json!({"type": "content_block_start", "index": i, "content_block": start}),
        );
        s += &event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": i, "delta": delta}),
        );
        s += &event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": i}),
        );
    };
    if let Some(t) = text {
        block(
            0,
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": t}),
        );
    }
    let stop = match &tool {
        Some((id, name, args)) => {
            let start = json!({"type": "tool_use", "id": id, "name": name, "input": {}});
            block(
                1,
                start,
                json!({"type": "input_json_delta", "partial_json": args.to_string()}),
            );
            "tool_use"
        }
        None => "end_turn",
    };
    s += &format!("event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"{stop}\"}},\"usage\":{{\"output_tokens\":5}}}}\n\n");
    s += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    Reply::Sse(s.into_bytes())
}

/// A Chat Completions stream of one model step, like [`anthropic_turn`].
pub fn openai_turn(text: Option<&str>, tool: Option<(&str, &str, Value)>) -> Reply {
    use serde_json::json;
    let mut s = String::new();
    let mut chunk = |choice: Value, usage: Value| {
        s += &format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "m", "choices": choice, "usage": usage})
        );
    };
    if let Some(t) = text {
        chunk(
            json!([{"index": 0, "delta": {"role": "assistant", "content": t}, "finish_reason": null}]),
            Value::Null,
        );
    }
    if let Some((id, name, args)) = &tool {
        let call = json!([{"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}}]);
        chunk(
            json!([{"index": 0, "delta": {"tool_calls": call}, "finish_reason": null}]),
            Value::Null,
        );
    }
    let stop = if tool.is_some() { "tool_calls" } else { "stop" };
    chunk(
        json!([{"index": 0, "delta": {}, "finish_reason": stop}]),
        Value::Null,
    );
    chunk(
        json!([]),
        json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}),
    );
    s += "data: [DONE]\n\n";
    Reply::Sse(s.into_bytes())
}
