//! The Anthropic Messages transport against a loopback server replaying recorded streams:
//! the request bodies it sends and the events it produces.

#[path = "provider_support.rs"]
mod support;

use flowai::provider::CancellationToken;
use flowai::provider::{
    Anthropic, Message, ModelRequest, Provider, ProviderError, ProviderEvent, StopReason,
    TokenUsage, ToolCall, ToolSchema,
};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{assert_no_key, drain, FakeServer, Reply, SECRET};

fn anthropic(server: &FakeServer, extra: Value) -> Anthropic {
    let mut config = json!({"apiKey": SECRET, "baseUrl": server.url, "retryBaseMs": 5});
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Anthropic::from_config(&config).unwrap()
}

fn request(prompt: &str) -> ModelRequest {
    ModelRequest {
        provider: "anthropic".into(),
        model: "claude-sonnet-4-6".into(),
        system: "You are terse.".into(),
        messages: vec![Message::user(prompt)],
        ..ModelRequest::default()
    }
}

async fn run(server: &FakeServer, extra: Value) -> (Vec<ProviderEvent>, Option<ProviderError>) {
    let p = anthropic(server, extra);
    drain(p.stream(request("Say hello"), CancellationToken::new())).await
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
    let server = FakeServer::start(vec![Reply::sse("anthropic/text.sse")]).await;
    let (events, error) = run(&server, json!({})).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events,
        vec![
            ProviderEvent::TextDelta {
                text: "Hello".into()
            },
            ProviderEvent::TextDelta {
                text: " from Claude.".into()
            },
            ProviderEvent::Usage(TokenUsage {
                input: 21,
                output: 6,
                ..TokenUsage::default()
            }),
            ProviderEvent::Finish {
                reason: StopReason::Stop
            },
        ]
    );
    let sent = &server.received()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some(SECRET));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(
        sent.body,
        json!({
            "model": "claude-sonnet-4-6",
            "max_tokens": 4096,
            "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hello"}]}],
            "stream": true
        })
    );
}

#[tokio::test]
async fn tool_use_over_two_turns_through_the_runtime() {
    let server = FakeServer::start(vec![
        Reply::sse("anthropic/tool_use_1.sse"),
        Reply::sse("anthropic/tool_use_2.sse"),
    ])
    .await;
    let provider = Arc::new(anthropic(&server, json!({})));
    let runtime = support::weather_runtime(provider, "claude-sonnet-4-6");
    let events: Vec<_> = runtime
        .run_specialist("weather", "Weather in Oslo?", Some("t"))
        .collect()
        .await;
    let v = support::normalized(&events);
    let cost = events
        .iter()
        .map(|e| e.to_value())
        .find(|e| e["type"] == "data-cost-summary")
        .expect("a cost summary");
    assert_eq!(cost["data"]["agents"][0]["agentName"], "weather");
    assert_eq!(cost["data"]["agents"][0]["usage"]["promptTokens"], 912);
    assert_eq!(
        cost["data"]["totalTokens"],
        cost["data"]["totalPromptTokens"].as_u64().unwrap()
            + cost["data"]["totalCompletionTokens"].as_u64().unwrap()
    );
    assert_eq!(
        support::types(&events),
        [
            "tool-agent",
            "step-start",
            "text",
            "tool-invocation",
            "tool-invocation",
            "finish",
            "step-start",
            "text",
            "text",
            "data-cost-summary",
            "data-latency-summary",
            "finish",
            "tool-agent"
        ]
    );
    assert_eq!(v[2]["text"], "Let me check the weather.");
    assert_eq!(
        v[3],
        json!({"args": {"city": "Oslo", "unit": "celsius"}, "state": "call",
               "toolInvocationId": "toolu_01A09q90qw90lq917835lq9", "toolName": "get_weather",
               "type": "tool-invocation"})
    );
    assert_eq!(v[4]["result"], json!({"city": "Oslo", "temp_c": 3}));
    assert_eq!(v[5]["finishReason"], "tool-calls");
    assert_eq!(v[5]["usage"]["promptTokens"], 410);
    assert_eq!(v[5]["usage"]["completionTokens"], 58);
    assert_eq!(v[7]["text"], "It is 3 °C ");
    let summary = &v[10]["data"];
    assert_eq!(summary["phases"]["llmCalls"], 2);
    assert_eq!(summary["retryCount"], 0);
    assert_eq!(summary["hadTimeout"], false);
    assert_eq!(summary["toolTimings"][0]["toolName"], "get_weather");
    assert_eq!(summary["toolTimings"][0]["status"], "completed");
    // Usage is cumulative over the turn.
    assert_eq!(
        v[11],
        json!({"finishReason": "stop", "type": "finish", "usage": {
            "cacheCreationInputTokens": 0, "cacheReadInputTokens": 0,
            "completionTokens": 70, "promptTokens": 912, "totalTokens": 982}})
    );
    let sent = server.received();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        sent[1].body,
        support::fixture_json("anthropic/tool_use.request_2.json")
    );
}

#[tokio::test]
async fn thinking_becomes_reasoning_and_is_requested() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/thinking.sse")]).await;
    let (events, error) = run(&server, json!({"thinkingBudgetTokens": 2048})).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        events[..3],
        [
            ProviderEvent::ReasoningDelta {
                text: "The user wants 27 * 453.\n".into()
            },
            ProviderEvent::ReasoningDelta {
                text: "27 * 453 = 12231.".into()
            },
            ProviderEvent::ReasoningSignature {
                signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds".into()
            },
        ]
    );
    assert_eq!(text(&events), "27 * 453 = 12,231");
    let body = &server.received()[0].body;
    assert_eq!(
        body["thinking"],
        json!({"type": "enabled", "budget_tokens": 2048})
    );
    assert_eq!(body["max_tokens"], 4096);
}

#[tokio::test]
async fn usage_counts_cache_reads_and_writes() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/cache_usage.sse")]).await;
    let (events, _) = run(&server, json!({"maxTokens": 30})).await;
    let n = events.len();
    assert_eq!(
        events[n - 2..],
        [
            ProviderEvent::Usage(TokenUsage {
                input: 12,
                output: 30,
                cache_read: 1800,
                cache_creation: 200
            }),
            ProviderEvent::Finish {
                reason: StopReason::Length
            },
        ]
    );
    assert_eq!(server.received()[0].body["max_tokens"], 30);
}

#[tokio::test]
async fn rate_limit_then_success_honours_retry_after() {
    let server = FakeServer::start(vec![
        Reply::Status(
            429,
            vec![("retry-after", "1")],
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#.into(),
        ),
        Reply::sse("anthropic/text.sse"),
    ])
    .await;
    let started = Instant::now();
    let (events, error) = run(&server, json!({})).await;
    assert!(error.is_none(), "{error:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    match &events[0] {
        ProviderEvent::Retry {
            attempt: 1,
            delay_ms: 1000,
            reason,
            timeout: false,
        } => {
            assert!(reason.starts_with("HTTP 429: rate_limit_error"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(text(&events), "Hello from Claude.");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn server_errors_past_the_retry_budget() {
    let boom = || {
        Reply::Status(
            500,
            vec![],
            r#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#
                .into(),
        )
    };
    let server = FakeServer::start(vec![boom(), boom(), boom(), boom()]).await;
    let (events, error) = run(&server, json!({"maxRetries": 2})).await;
    let retries = events
        .iter()
        .filter(|e| matches!(e, ProviderEvent::Retry { .. }))
        .count();
    assert_eq!(retries, 2);
    let error = error.expect("gives up");
    assert!(matches!(
        error,
        ProviderError::RetriesExhausted { attempts: 3, .. }
    ));
    assert_eq!(
        error.to_string(),
        "anthropic: gave up after 3 attempt(s) (retry budget `maxRetries`/`retryBudgetMs`): HTTP 500: api_error: Internal server error"
    );
    assert_eq!(server.received().len(), 3);
    assert_eq!(server.unused(), 1);
}

#[tokio::test]
async fn a_stream_cut_mid_event_is_a_clear_error() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/cut.sse")]).await;
    let (events, error) = run(&server, json!({})).await;
    assert_eq!(text(&events), "Hello");
    let error = error.expect("truncated");
    assert!(
        matches!(error, ProviderError::Truncated { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("connection cut"), "{error}");
}

#[tokio::test]
async fn a_connection_lost_mid_body_is_a_clear_error() {
    let mut bytes = support::fixture("anthropic/text.sse");
    bytes.truncate(400);
    let server = FakeServer::start(vec![Reply::Abort(bytes)]).await;
    let (_, error) = run(&server, json!({})).await;
    let error = error.expect("aborted");
    assert!(
        error.to_string().contains("connection lost mid-stream"),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_tool_argument_json_keeps_the_raw_text() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/bad_tool_args.sse")]).await;
    let (events, error) = run(&server, json!({})).await;
    assert!(events
        .iter()
        .all(|e| !matches!(e, ProviderEvent::ToolCall(_))));
    match error.expect("invalid arguments") {
        ProviderError::ToolArguments { id, name, raw, .. } => {
            assert_eq!((id.as_str(), name.as_str()), ("toolu_01Bad", "get_weather"));
            assert_eq!(raw, r#"{"city": "Oslo", unit: celsius}"#);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_event_mid_stream() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/stream_error.sse")]).await;
    let (_, error) = run(&server, json!({})).await;
    assert_eq!(
        error.unwrap().to_string(),
        "anthropic reported an error mid-stream (overloaded_error): Overloaded"
    );
}

#[tokio::test]
async fn auth_errors_name_the_env_var_and_never_the_key() {
    let var = "FLOWAI_TEST_ANTHROPIC_KEY_AUTH";
    std::env::set_var(var, SECRET);
    let body = format!(
        r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {SECRET}"}}}}"#
    );
    let server = FakeServer::start(vec![Reply::Status(401, vec![], body)]).await;
    let p = Anthropic::from_config(&json!({"apiKeyEnv": var, "baseUrl": server.url})).unwrap();
    let (_, error) = drain(p.stream(request("hi"), CancellationToken::new())).await;
    let error = error.unwrap();
    assert_eq!(
        error.to_string(),
        "anthropic rejected the API key from environment variable `FLOWAI_TEST_ANTHROPIC_KEY_AUTH` (HTTP 401): set a valid key there"
    );
    assert_no_key(&format!("{error} {error:?}"));
    assert_eq!(server.received()[0].header("x-api-key"), Some(SECRET));

    let missing = Anthropic::from_config(&json!({"apiKeyEnv": "FLOWAI_TEST_UNSET_VAR_1"})).unwrap();
    let (_, error) = drain(missing.stream(request("hi"), CancellationToken::new())).await;
    assert!(error
        .unwrap()
        .to_string()
        .contains("`FLOWAI_TEST_UNSET_VAR_1`"));
}

#[tokio::test]
async fn a_bad_request_says_what_to_fix_and_is_not_retried() {
    let body = format!(
        r#"{{"type":"error","error":{{"type":"invalid_request_error","message":"model: claude-nope not found (key {SECRET})"}}}}"#
    );
    let server = FakeServer::start(vec![Reply::Status(400, vec![], body)]).await;
    let (_, error) = run(&server, json!({})).await;
    let message = error.unwrap().to_string();
    assert!(message.starts_with("anthropic refused the request (HTTP 400): invalid_request_error: model: claude-nope not found"), "{message}");
    assert!(message.contains("check the model id"), "{message}");
    assert_no_key(&message);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn cancellation_stops_an_inflight_stream_promptly() {
    // Everything up to the second text delta, then silence.
    let text = String::from_utf8(support::fixture("anthropic/text.sse")).unwrap();
    let cut = text
        .match_indices("event: content_block_delta")
        .nth(1)
        .unwrap()
        .0;
    let server = FakeServer::start(vec![Reply::Stall(text[..cut].into())]).await;
    let p = anthropic(&server, json!({}));
    let cancel = CancellationToken::new();
    let mut stream = p.stream(request("hi"), cancel.clone());
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(
        first,
        ProviderEvent::TextDelta {
            text: "Hello".into()
        }
    );
    let started = Instant::now();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        trigger.cancel();
    });
    let next = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
    assert!(
        matches!(next, Ok(Some(Err(ProviderError::Cancelled)))),
        "{next:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn tool_results_and_history_are_sent_as_content_blocks() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/text.sse")]).await;
    let p = anthropic(&server, json!({}));
    let call = ToolCall {
        id: "t1".into(),
        name: "get_weather".into(),
        args: json!({"city": "Oslo"}),
    };
    let mut r = request("and now?");
    r.tools = vec![ToolSchema {
        name: "get_weather".into(),
        description: String::new(),
        input_schema: json!({"type": "object"}),
    }];
    r.messages = vec![
        Message::user("weather?"),
        Message::Assistant {
            reasoning: vec![],
            text: String::new(),
            tool_calls: vec![call],
        },
        Message::ToolResult {
            call_id: "t1".into(),
            name: "get_weather".into(),
            content: json!({"error": "down"}),
            is_error: true,
        },
        Message::assistant(""),
        Message::user("and now?"),
    ];
    let (_, error) = drain(p.stream(r, CancellationToken::new())).await;
    assert!(error.is_none());
    let body = &server.received()[0].body;
    assert_eq!(
        body["tools"],
        json!([{"name": "get_weather", "input_schema": {"type": "object"}}])
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Oslo"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "{\"error\":\"down\"}", "is_error": true},
                {"type": "text", "text": "and now?"}
            ]}
        ])
    );
}
