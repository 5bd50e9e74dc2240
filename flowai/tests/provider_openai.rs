//! The OpenAI-compatible Chat Completions transport against a loopback server replaying
//! recorded streams: the request bodies it sends and the events it produces.

#[path = "provider_support.rs"]
mod support;

use flowai::provider::{
    CancellationToken, Message, ModelRequest, OpenAiCompatible, Provider, ProviderError,
    ProviderEvent, StopReason, TokenUsage, ToolCall,
};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use support::{assert_no_key, drain, FakeServer, Reply, SECRET};

fn openai(server: &FakeServer, extra: Value) -> OpenAiCompatible {
    let mut config =
        json!({"apiKey": SECRET, "baseUrl": format!("{}/v1", server.url), "retryBaseMs": 5});
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    OpenAiCompatible::from_config(&config).unwrap()
}

fn request(model: &str) -> ModelRequest {
    ModelRequest {
        provider: "openai-compatible".into(),
        model: model.into(),
        system: "You are terse.".into(),
        messages: vec![Message::user("Say hello")],
        ..ModelRequest::default()
    }
}

async fn run(server: &FakeServer, extra: Value) -> (Vec<ProviderEvent>, Option<ProviderError>) {
    let p = openai(server, extra);
    drain(p.stream(request("gpt-4o"), CancellationToken::new())).await
}

fn text(events: &[ProviderEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ProviderEvent::TextDelta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn plain_text_request_and_events() {
    let server = FakeServer::start(vec![Reply::sse("openai/text.sse")]).await;
    let (events, error) = run(&server, json!({"maxTokens": 256})).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ProviderEvent::TextDelta {
                text: "Hello".into()
            },
            ProviderEvent::TextDelta {
                text: " from GPT.".into()
            },
            ProviderEvent::Usage(TokenUsage {
                input: 19,
                output: 5,
                ..TokenUsage::default()
            }),
            ProviderEvent::Finish {
                reason: StopReason::Stop
            },
        ]
    );
    let sent = &server.received()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert_eq!(
        sent.body,
        json!({
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Say hello"}
            ],
            "max_tokens": 256,
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );
}

#[tokio::test]
async fn reasoning_models_get_max_completion_tokens() {
    let server = FakeServer::start(vec![Reply::sse("openai/text.sse")]).await;
    let p = openai(&server, json!({"maxTokens": 256}));
    drain(p.stream(request("o3-mini"), CancellationToken::new())).await;
    let body = &server.received()[0].body;
    assert_eq!(body["max_completion_tokens"], 256);
    assert!(body.get("max_tokens").is_none());
}

#[tokio::test]
async fn parallel_tool_calls_over_two_turns_through_the_runtime() {
    let server = FakeServer::start(vec![
        Reply::sse("openai/tool_calls_1.sse"),
        Reply::sse("openai/tool_calls_2.sse"),
    ])
    .await;
    let runtime = support::weather_runtime(Arc::new(openai(&server, json!({}))), "llama3.1");
    let events: Vec<_> = runtime
        .run_specialist("weather", "Weather in Oslo and Bergen?", None)
        .collect()
        .await;
    let v = support::normalized(&events);
    assert_eq!(
        support::types(&events),
        [
            "tool-agent",
            "step-start",
            "tool-invocation",
            "tool-invocation",
            "tool-invocation",
            "tool-invocation",
            "finish",
            "step-start",
            "text",
            "data-cost-summary",
            "data-latency-summary",
            "finish",
            "tool-agent"
        ]
    );
    assert_eq!(v[2]["toolInvocationId"], "call_oslo");
    assert_eq!(v[2]["args"], json!({"city": "Oslo"}));
    assert_eq!(v[5]["toolInvocationId"], "call_bergen");
    assert_eq!(v[5]["result"], json!({"city": "Bergen", "temp_c": 7}));
    assert_eq!(v[6]["finishReason"], "tool-calls");
    assert_eq!(v[8]["text"], "Oslo 3 °C, Bergen 7 °C.");
    assert_eq!(v[10]["data"]["toolTimings"].as_array().unwrap().len(), 2);
    assert_eq!(v[11]["usage"]["promptTokens"], 320);
    assert_eq!(v[11]["usage"]["completionTokens"], 51);
    let sent = server.received();
    assert_eq!(
        sent[1].body,
        support::fixture_json("openai/tool_calls.request_2.json")
    );
}

#[tokio::test]
async fn reasoning_content_becomes_reasoning() {
    let server = FakeServer::start(vec![Reply::sse("openai/reasoning.sse")]).await;
    let (events, error) = run(&server, json!({})).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events[..2],
        [
            ProviderEvent::ReasoningDelta {
                text: "27 * 453 ".into()
            },
            ProviderEvent::ReasoningDelta {
                text: "= 12231.".into()
            },
        ]
    );
    assert_eq!(text(&events), "12,231");
}

#[tokio::test]
async fn cached_prompt_tokens_are_split_out() {
    let server = FakeServer::start(vec![Reply::sse("openai/cache_usage.sse")]).await;
    let (events, _) = run(&server, json!({})).await;
    let n = events.len();
    assert_eq!(
        events[n - 2..],
        [
            ProviderEvent::Usage(TokenUsage {
                input: 128,
                output: 30,
                cache_read: 1920,
                cache_creation: 0
            }),
            ProviderEvent::Finish {
                reason: StopReason::Length
            },
        ]
    );
}

#[tokio::test]
async fn rate_limit_then_success_honours_retry_after_ms() {
    let server = FakeServer::start(vec![
        Reply::Status(
            429,
            vec![("retry-after-ms", "120"), ("retry-after", "1")],
            r#"{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","code":"rate_limit_exceeded"}}"#.into(),
        ),
        Reply::sse("openai/text.sse"),
    ])
    .await;
    let (events, error) = run(&server, json!({})).await;
    assert!(error.is_none(), "{error:?}");
    assert!(
        matches!(&events[0], ProviderEvent::Retry { attempt: 1, delay_ms: 120, reason, .. } if reason.contains("Rate limit reached")),
        "{:?}",
        events[0]
    );
    assert_eq!(text(&events), "Hello from GPT.");
}

#[tokio::test]
async fn server_errors_past_the_retry_budget() {
    let boom = || Reply::Status(503, vec![], "upstream connect error".into());
    let server = FakeServer::start(vec![boom(), boom(), boom()]).await;
    let (events, error) = run(&server, json!({"maxRetries": 1})).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        error.unwrap().to_string(),
        "openai-compatible: gave up after 2 attempt(s) (retry budget `maxRetries`/`retryBudgetMs`): HTTP 503: upstream connect error"
    );
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_stream_cut_mid_event_is_a_clear_error() {
    let server = FakeServer::start(vec![Reply::sse("openai/cut.sse")]).await;
    let (_, error) = run(&server, json!({})).await;
    assert!(
        matches!(error, Some(ProviderError::Truncated { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_stream_without_finish_or_done_is_truncated() {
    let text = String::from_utf8(support::fixture("openai/text.sse")).unwrap();
    let cut = text.find("data: {\"id\":\"chatcmpl-AbC1\",\"object\":\"chat.completion.chunk\",\"created\":1732550000,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{},").unwrap();
    let server = FakeServer::start(vec![Reply::Sse(text[..cut].into())]).await;
    let (events, error) = run(&server, json!({})).await;
    assert_eq!(text_of(&events), "Hello from GPT.");
    assert_eq!(
        error.unwrap().to_string(),
        "openai-compatible: the stream ended before `finish_reason` and `data: [DONE]` (connection cut mid-response)"
    );
}

fn text_of(events: &[ProviderEvent]) -> String {
    text(events)
}

#[tokio::test]
async fn invalid_tool_argument_json_keeps_the_raw_text() {
    let server = FakeServer::start(vec![Reply::sse("openai/bad_tool_args.sse")]).await;
    let (_, error) = run(&server, json!({})).await;
    let error = error.unwrap();
    assert!(
        error.to_string().starts_with(
            "openai-compatible: tool call `get_weather` (call_bad) has invalid JSON arguments:"
        ),
        "{error}"
    );
    assert!(matches!(error, ProviderError::ToolArguments { raw, .. } if raw == r#"{"city": Oslo"#));
}

#[tokio::test]
async fn malformed_chunks_keep_the_raw_line() {
    let server = FakeServer::start(vec![Reply::Sse(
        b"data: {\"choices\": [oops]}\n\n".to_vec(),
    )])
    .await;
    let (_, error) = run(&server, json!({})).await;
    match error.unwrap() {
        ProviderError::Decode { raw, .. } => assert_eq!(raw, r#"{"choices": [oops]}"#),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn local_servers_need_no_key_and_a_rejected_inline_key_is_not_echoed() {
    let server = FakeServer::start(vec![Reply::sse("openai/text.sse")]).await;
    let local =
        OpenAiCompatible::from_config(&json!({"baseUrl": format!("{}/v1", server.url)})).unwrap();
    let (_, error) = drain(local.stream(request("llama3.1"), CancellationToken::new())).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(server.received()[0].header("authorization"), None);

    let body = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {SECRET}.","type":"invalid_request_error","code":"invalid_api_key"}}}}"#
    );
    let server = FakeServer::start(vec![Reply::Status(401, vec![], body)]).await;
    let (_, error) = run(&server, json!({})).await;
    let error = error.unwrap();
    assert_eq!(
        error.to_string(),
        "openai-compatible rejected the API key from providers[\"openai-compatible\"].apiKey (HTTP 401): set a valid key there"
    );
    assert_no_key(&format!("{error:?}"));
}

#[tokio::test]
async fn assistant_tool_calls_and_results_on_the_wire() {
    let server = FakeServer::start(vec![Reply::sse("openai/text.sse")]).await;
    let p = openai(&server, json!({}));
    let mut r = request("gpt-4o");
    r.system.clear();
    r.messages = vec![
        Message::user("weather?"),
        Message::Assistant {
            reasoning: vec![],
            text: "Checking.".into(),
            tool_calls: vec![ToolCall {
                id: "c1".into(),
                name: "w".into(),
                args: json!({}),
            }],
        },
        Message::ToolResult {
            call_id: "c1".into(),
            name: "w".into(),
            content: json!("plain text"),
            is_error: false,
        },
    ];
    drain(p.stream(r, CancellationToken::new())).await;
    assert_eq!(
        server.received()[0].body["messages"],
        json!([
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": "Checking.", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "plain text"}
        ])
    );
}
