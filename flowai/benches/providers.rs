//! Provider benchmarks of issue 5, loopback only. Prints one JSON line with:
//!
//! * `sse_decode`: [`SseDecoder`] throughput in MB/s on an in-memory Anthropic stream of
//!   10,000 `content_block_delta` text events fed in 1,460-byte chunks (one TCP segment),
//!   median of 7 rounds of about 150 ms each.
//! * `streamed_tokens`: a loopback axum server streams an Anthropic reply of 2,000 text
//!   deltas (one token each, one body frame per event, no pauses). Per token, medians of 15
//!   interleaved runs after 3 warm-ups: `raw` downloads and SSE-decodes the body with
//!   reqwest alone; `provider` drains [`Anthropic::stream`]; `engine` runs a whole
//!   specialist turn on the provider interpreter and consumes every event. `engine - raw`
//!   is the engine's overhead per streamed token.
//!
//! The server runs on its own thread and current-thread executor, the client side on
//! another. Run with `cargo bench -p flowai --bench providers`.

use axum::body::{Body, Bytes};
use axum::http::Response;
use flowai::provider::sse::{SseDecoder, SseEvent};
use flowai::provider::{Anthropic, CancellationToken, Message, ModelRequest, Provider};
use flowai::provider::{ProviderEvent, ProviderHandle};
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity};
use futures::StreamExt;
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DECODE_EVENTS: usize = 10_000;
const CHUNK: usize = 1_460;
const DECODE_ROUNDS: usize = 7;
const ROUND_TARGET: Duration = Duration::from_millis(150);
const TOKENS: usize = 2_000;
const WARMUPS: usize = 3;
const RUNS: usize = 15;
const MODEL: &str = "claude-sonnet-4-6";

/// The `i`th token of the deterministic reply text.
fn token(i: usize) -> &'static str {
    const WORDS: [&str; 8] = [
        " The", " quick", " brown", " fox", " jumps", " over", " lazy", " dogs.",
    ];
    WORDS[i % WORDS.len()]
}

/// A Messages API stream with `n` one-token text deltas, one `Bytes` per SSE event.
fn anthropic_events(n: usize) -> Vec<Bytes> {
    let event = |name: &str, data: serde_json::Value| {
        Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
    };
    let mut events = vec![
        event(
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg_01Bench", "type": "message",
                "role": "assistant", "content": [], "model": MODEL, "stop_reason": null,
                "stop_sequence": null, "usage": {"input_tokens": 21, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "output_tokens": 1}}}),
        ),
        event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
    ];
    events.extend((0..n).map(|i| {
        event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": token(i)}}),
        )
    }));
    events.push(event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push(event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": {"output_tokens": n}}),
    ));
    events.push(event("message_stop", json!({"type": "message_stop"})));
    events
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Decodes `stream` chunk by chunk as the transport does; returns the `text_delta` count.
fn decode_once(stream: &[u8], out: &mut Vec<SseEvent>) -> usize {
    let mut decoder = SseDecoder::new();
    let mut deltas = 0;
    for chunk in stream.chunks(CHUNK) {
        decoder.decode(chunk, out).expect("valid stream");
        deltas += out
            .drain(..)
            .filter(|e| e.event.as_deref() == Some("content_block_delta"))
            .count();
    }
    decoder.finish().expect("complete stream");
    deltas
}

/// Median MB/s (10^6 bytes) over the rounds, and the stream size.
fn sse_throughput() -> (f64, usize) {
    let stream: Vec<u8> = anthropic_events(DECODE_EVENTS).concat();
    let mut out = Vec::new();
    let t0 = Instant::now();
    assert_eq!(decode_once(&stream, &mut out), DECODE_EVENTS);
    let one = t0.elapsed().as_secs_f64();
    let passes = ((ROUND_TARGET.as_secs_f64() / one).ceil() as usize).max(1);
    let rounds = (0..DECODE_ROUNDS)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..passes {
                std::hint::black_box(decode_once(std::hint::black_box(&stream), &mut out));
            }
            (stream.len() * passes) as f64 / t0.elapsed().as_secs_f64() / 1e6
        })
        .collect();
    (median(rounds), stream.len())
}

/// Starts the loopback server on its own thread; answers every request with `events`,
/// one body frame per event, as fast as the connection takes them. Returns its base URL.
fn start_server(events: Vec<Bytes>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let exec = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio");
        exec.block_on(async move {
            let events = Arc::new(events);
            let app = axum::Router::new().fallback(move || {
                let events = events.clone();
                async move {
                    let frames =
                        (0..events.len()).map(move |i| Ok::<_, Infallible>(events[i].clone()));
                    Response::builder()
                        .header("content-type", "text/event-stream")
                        .body(Body::from_stream(futures::stream::iter(frames)))
                        .expect("response")
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(format!("http://{}", listener.local_addr().expect("addr")))
                .expect("send url");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server url")
}

/// Downloads and SSE-decodes one reply with reqwest alone; returns the `text_delta` count.
async fn raw_run(client: &reqwest::Client, url: &str, body: &[u8]) -> usize {
    let mut response = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(body.to_vec())
        .send()
        .await
        .expect("response");
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    let mut deltas = 0;
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        decoder.decode(&chunk, &mut out).expect("valid stream");
        deltas += out
            .drain(..)
            .filter(|e| e.event.as_deref() == Some("content_block_delta"))
            .count();
    }
    decoder.finish().expect("complete stream");
    deltas
}

/// Drains one call of the provider alone; returns the text delta count.
async fn provider_run(provider: &Anthropic) -> usize {
    let request = ModelRequest {
        provider: "anthropic".into(),
        model: MODEL.into(),
        system: "You write.".into(),
        messages: vec![Message::user("Write.")],
        ..ModelRequest::default()
    };
    let mut stream = provider.stream(request, CancellationToken::new());
    let mut deltas = 0;
    while let Some(event) = stream.next().await {
        if let ProviderEvent::TextDelta { .. } = event.expect("provider event") {
            deltas += 1;
        }
    }
    deltas
}

/// Runs one whole specialist turn and consumes its events; returns the `text` event count.
async fn engine_run(runtime: &Runtime) -> usize {
    let mut run = runtime.run_specialist("writer", "Write.", None);
    let mut texts = 0;
    while let Some(event) = run.next().await {
        match event {
            StreamPart::Text { .. } => texts += 1,
            StreamPart::Error { .. } => panic!("engine run failed: {event:?}"),
            _ => {}
        }
    }
    texts
}

fn micros_per_token(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1e6 / TOKENS as f64
}

/// Medians in µs per token: (raw, provider, engine), and the reply size in bytes.
fn streamed_tokens() -> (f64, f64, f64, usize) {
    let events = anthropic_events(TOKENS);
    let reply_bytes = events.iter().map(Bytes::len).sum();
    let url = start_server(events);
    let exec = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    exec.block_on(async {
        let config = json!({"apiKey": "sk-bench-loopback", "baseUrl": url});
        let provider = Arc::new(Anthropic::from_config(&config).expect("config"));
        let runtime = Runtime::builder(TenantIdentity::new("bench", "v1"))
            .agent(AgentSpec::specialist("writer", MODEL, "You write."))
            .interpreter(InterpreterKind::Provider(ProviderHandle::new(
                provider.clone(),
            )))
            .build()
            .expect("valid runtime");
        let client = reqwest::Client::new();
        let messages = format!("{url}/v1/messages");
        let body = serde_json::to_vec(&json!({"model": MODEL, "max_tokens": 4096, "stream": true,
            "messages": [{"role": "user", "content": "Write."}]}))
        .expect("body");
        let (mut raw, mut direct, mut engine) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..WARMUPS + RUNS {
            let t0 = Instant::now();
            assert_eq!(raw_run(&client, &messages, &body).await, TOKENS);
            let r = micros_per_token(t0);
            let t0 = Instant::now();
            assert_eq!(provider_run(&provider).await, TOKENS);
            let p = micros_per_token(t0);
            let t0 = Instant::now();
            assert_eq!(engine_run(&runtime).await, TOKENS);
            let e = micros_per_token(t0);
            if i >= WARMUPS {
                raw.push(r);
                direct.push(p);
                engine.push(e);
            }
        }
        (median(raw), median(direct), median(engine), reply_bytes)
    })
}

fn main() {
    let (mb_per_s, stream_bytes) = sse_throughput();
    let (raw, provider, engine, reply_bytes) = streamed_tokens();
    println!(
        "{{\"benchmark\": \"providers\", \"sse_decode\": {{\"mb_per_s\": {mb_per_s:.1}, \"events\": {DECODE_EVENTS}, \"stream_bytes\": {stream_bytes}, \"chunk_bytes\": {CHUNK}, \"rounds\": {DECODE_ROUNDS}}}, \"streamed_tokens\": {{\"tokens\": {TOKENS}, \"reply_bytes\": {reply_bytes}, \"runs\": {RUNS}, \"raw_us_per_token\": {raw:.3}, \"provider_us_per_token\": {provider:.3}, \"engine_us_per_token\": {engine:.3}, \"engine_overhead_us_per_token\": {:.3}}}}}",
        engine - raw
    );
}
