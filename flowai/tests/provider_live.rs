//! Whole agent turns on the live interpreter: routing through `call_agent`, memory, the
//! turn budget, retries and timeouts in the latency summary, cancellation, errors, and
//! record/replay of a run.

#[path = "provider_support.rs"]
mod support;

use flowai::provider::{
    Anthropic, CancellationToken, Message, ModelRequest, OpenAiCompatible, Provider, ProviderEvent,
    ProviderHandle, Recorder, Replay, Router,
};
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::{anthropic_turn, assert_no_key, drain, FakeServer, Reply, SECRET};

fn anthropic(server: &FakeServer, extra: Value) -> Arc<Anthropic> {
    let mut config = json!({"apiKey": SECRET, "baseUrl": server.url, "retryBaseMs": 5});
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Arc::new(Anthropic::from_config(&config).unwrap())
}

fn coordinator_runtime(provider: Arc<dyn Provider>) -> Runtime {
    let def = flowai::ToolDef::new("get_weather", support::weather_schema());
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "boss",
            "claude-sonnet-4-6",
            "Delegate.",
            &["weather"],
        ))
        .agent(AgentSpec::specialist(
            "weather",
            "claude-haiku-4-5",
            "You report the weather.",
        ))
        .tool("weather", def, |args, _ctx| async move {
            Ok(json!({"city": args["city"], "temp_c": 3}))
        })
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(provider)))
        .build()
        .unwrap()
}

fn delegation() -> Vec<Reply> {
    vec![
        anthropic_turn(
            Some("Asking the specialist."),
            Some((
                "toolu_call",
                "call_agent",
                json!({"agent": "weather", "prompt": "Oslo?"}),
            )),
        ),
        anthropic_turn(
            None,
            Some(("toolu_w", "get_weather", json!({"city": "Oslo"}))),
        ),
        anthropic_turn(Some("3 °C"), None),
        anthropic_turn(Some("Oslo has 3 °C."), None),
    ]
}

#[tokio::test]
async fn coordinator_delegates_through_call_agent_on_the_fake_server() {
    let server = FakeServer::start(delegation()).await;
    let runtime = coordinator_runtime(anthropic(&server, json!({})));
    let events: Vec<_> = runtime
        .query("Weather in Oslo?", "thread-1")
        .collect()
        .await;
    assert_eq!(
        support::types(&events),
        [
            "tool-agent",
            "step-start",
            "text",
            "tool-invocation",
            "tool-agent",
            "step-start",
            "tool-invocation",
            "tool-invocation",
            "finish",
            "step-start",
            "text",
            "data-cost-summary",
            "data-latency-summary",
            "finish",
            "tool-agent",
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
    let v = support::normalized(&events);
    assert_eq!(
        v[15]["result"],
        json!({"agent": "weather", "model": "claude-haiku-4-5", "response": "3 °C"})
    );
    assert_eq!(v[20]["data"]["toolTimings"][0]["toolName"], "call_agent");
    let sent = server.received();
    assert_eq!(sent[1].body["model"], "claude-haiku-4-5");
    assert_eq!(sent[1].body["messages"][0]["content"][0]["text"], "Oslo?");
    assert_eq!(sent[0].body["tools"][0]["name"], "call_agent");
}

#[tokio::test]
async fn a_recorded_run_replays_offline_with_identical_events() {
    let dir = std::env::temp_dir().join(format!("flowai-cassette-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cassette = dir.join("run.jsonl");
    let server = FakeServer::start(delegation()).await;
    let recorder = Recorder::new(anthropic(&server, json!({})), &cassette).unwrap();
    let live: Vec<_> = coordinator_runtime(Arc::new(recorder))
        .query("Weather in Oslo?", "t")
        .collect()
        .await;
    let text = std::fs::read_to_string(&cassette).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert_no_key(&text);

    let replay = Arc::new(Replay::open(&cassette).unwrap());
    let runtime = coordinator_runtime(replay.clone());
    let replayed: Vec<_> = runtime.query("Weather in Oslo?", "t").collect().await;
    assert_eq!(support::normalized(&replayed), support::normalized(&live));
    assert_eq!(replay.remaining(), 0);

    let replay = Arc::new(Replay::open(&cassette).unwrap());
    let events: Vec<_> = coordinator_runtime(replay)
        .query("Weather in Bergen?", "t")
        .collect()
        .await;
    let StreamPart::Error { message, .. } = &events[2] else {
        panic!("{events:?}")
    };
    assert!(message.contains("model call 1 does not match the recording: last user message was Some(\"Weather in Oslo?\"), now Some(\"Weather in Bergen?\"); re-record the cassette"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn max_turns_bounds_the_tool_loop() {
    let server = FakeServer::start(vec![Reply::sse("anthropic/tool_use_1.sse")]).await;
    let mut builder = Runtime::builder(TenantIdentity::new("acme", "v1"));
    let mut agent =
        AgentSpec::specialist("weather", "claude-sonnet-4-6", "You report the weather.");
    agent.max_turns = Some(1);
    builder = builder
        .agent(agent)
        .tool(
            "weather",
            flowai::ToolDef::new("get_weather", support::weather_schema()),
            |_, _| async { Ok(json!(3)) },
        )
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(anthropic(
            &server,
            json!({}),
        ))));
    let events: Vec<_> = builder
        .build()
        .unwrap()
        .run_specialist("weather", "Oslo?", None)
        .collect()
        .await;
    assert_eq!(
        support::types(&events),
        [
            "tool-agent",
            "step-start",
            "text",
            "tool-invocation",
            "tool-invocation",
            "data-cost-summary",
            "data-latency-summary",
            "finish",
            "tool-agent"
        ]
    );
    assert_eq!(events[7].to_value()["finishReason"], "length");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn retries_and_timeouts_land_in_the_latency_summary() {
    let server = FakeServer::start(vec![
        Reply::Delay(
            Duration::from_secs(2),
            Box::new(Reply::sse("anthropic/text.sse")),
        ),
        Reply::Status(
            529,
            vec![("retry-after", "0")],
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.into(),
        ),
        Reply::sse("anthropic/text.sse"),
    ])
    .await;
    let provider = anthropic(&server, json!({"timeoutMs": 300}));
    let runtime = support::weather_runtime(provider, "claude-sonnet-4-6");
    let events: Vec<_> = runtime
        .run_specialist("weather", "hi", None)
        .collect()
        .await;
    let v = support::normalized(&events);
    let summary = &v[v.len() - 3]["data"];
    assert_eq!(summary["retryCount"], 2, "{v:?}");
    assert_eq!(summary["hadTimeout"], true);
    assert_eq!(v[v.len() - 2]["finishReason"], "stop");
}

#[tokio::test]
async fn provider_errors_fail_the_agent_without_leaking_the_key() {
    let body = format!(
        r#"{{"type":"error","error":{{"type":"permission_error","message":"key {SECRET} may not use this model"}}}}"#
    );
    let server = FakeServer::start(vec![Reply::Status(403, vec![], body)]).await;
    let runtime = support::weather_runtime(anthropic(&server, json!({})), "claude-sonnet-4-6");
    let events: Vec<_> = runtime
        .run_specialist("weather", "hi", None)
        .collect()
        .await;
    assert_eq!(
        support::types(&events),
        ["tool-agent", "step-start", "error", "error"]
    );
    let all: String = events.iter().map(|e| e.to_string()).collect();
    assert_no_key(&all);
    let message = events[2].to_value()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.starts_with("anthropic refused the request (HTTP 403): permission_error: key [redacted] may not use this model; the key is valid but may not use this model"), "{message}");
}

#[tokio::test]
async fn cancelling_the_run_stops_the_stream_promptly() {
    let text = String::from_utf8(support::fixture("anthropic/text.sse")).unwrap();
    let cut = text
        .match_indices("event: content_block_delta")
        .nth(1)
        .unwrap()
        .0;
    let server = FakeServer::start(vec![Reply::Stall(text[..cut].into())]).await;
    let runtime = support::weather_runtime(anthropic(&server, json!({})), "claude-sonnet-4-6");
    let mut run = runtime.run_specialist("weather", "hi", None);
    let mut seen = Vec::new();
    while let Some(e) = tokio::time::timeout(Duration::from_secs(5), run.next())
        .await
        .expect("prompt")
    {
        if matches!(e, StreamPart::Text { .. }) {
            run.cancel();
        }
        seen.push(e);
    }
    let types: Vec<_> = seen.iter().map(|e| e.type_name()).collect();
    assert_eq!(
        types,
        ["tool-agent", "step-start", "text", "error", "error"]
    );
    assert_eq!(seen[3].to_value()["error"]["message"], "Request cancelled");
}

#[tokio::test]
async fn stateful_agents_send_their_history() {
    let server = FakeServer::start(vec![
        Reply::sse("anthropic/tool_use_1.sse"),
        Reply::sse("anthropic/tool_use_2.sse"),
        Reply::sse("anthropic/text.sse"),
    ])
    .await;
    let def = flowai::ToolDef::new("get_weather", support::weather_schema());
    let mut agent =
        AgentSpec::specialist("weather", "claude-sonnet-4-6", "You report the weather.");
    agent.stateful = true;
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(agent)
        .tool("weather", def, |_, _| async { Ok(json!({"temp_c": 3})) })
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(anthropic(
            &server,
            json!({}),
        ))))
        .build()
        .unwrap();
    for prompt in ["Weather in Oslo?", "And tomorrow?"] {
        let _: Vec<_> = runtime
            .run_specialist("weather", prompt, Some("t"))
            .collect()
            .await;
    }
    let messages = server.received()[2].body["messages"].clone();
    let roles: Vec<_> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant", "user"]);
    assert_eq!(messages[1]["content"][0]["type"], "tool_use");
    assert_eq!(messages[2]["content"][0]["type"], "tool_result");
    assert_eq!(
        messages[3]["content"][0]["text"],
        "Let me check the weather.It is 3 °C in Oslo."
    );
    assert_eq!(messages[4]["content"][0]["text"], "And tomorrow?");
}

#[tokio::test]
async fn the_router_sends_each_model_to_its_provider() {
    let claude = FakeServer::start(vec![Reply::sse("anthropic/text.sse")]).await;
    let gpt = FakeServer::start(vec![Reply::sse("openai/text.sse")]).await;
    let mut spec = flowai::RuntimeSpec::new(TenantIdentity::new("acme", "v1"));
    spec.agents
        .push(AgentSpec::specialist("a", "claude-sonnet-4-6", "p"));
    spec.agents.push(AgentSpec::specialist("b", "gpt-4o", "p"));
    spec.providers.insert(
        "anthropic".into(),
        json!({"apiKey": SECRET, "baseUrl": claude.url}),
    );
    spec.providers.insert(
        "openai-compatible".into(),
        json!({"baseUrl": format!("{}/v1", gpt.url)}),
    );
    let router = Router::from_spec(&spec).unwrap();
    for (key, model) in [
        ("anthropic", "claude-sonnet-4-6"),
        ("openai-compatible", "gpt-4o"),
    ] {
        let request = ModelRequest {
            provider: key.into(),
            model: model.into(),
            messages: vec![Message::user("hi")],
            ..ModelRequest::default()
        };
        let (events, error) = drain(router.stream(request, CancellationToken::new())).await;
        assert!(error.is_none(), "{error:?}");
        assert!(matches!(events.last(), Some(ProviderEvent::Finish { .. })));
    }
    assert_eq!(claude.received()[0].body["model"], "claude-sonnet-4-6");
    assert_eq!(gpt.received()[0].body["model"], "gpt-4o");

    spec.providers.remove("openai-compatible");
    let missing = Router::from_spec(&spec).err().unwrap().to_string();
    assert!(missing.starts_with("agent 'b' references provider 'openai-compatible' for model 'gpt-4o', but no such provider"), "{missing}");
    let _ = OpenAiCompatible::from_config(&Value::Null).unwrap();
}

#[tokio::test]
async fn a_broken_stream_fails_its_run_and_the_next_run_is_served() {
    let server = FakeServer::start(vec![
        Reply::sse("anthropic/cut.sse"),
        Reply::sse("anthropic/bad_tool_args.sse"),
        Reply::sse("anthropic/text.sse"),
    ])
    .await;
    let runtime = support::weather_runtime(anthropic(&server, json!({})), "claude-sonnet-4-6");
    for _ in 0..2 {
        let bad: Vec<_> = runtime
            .run_specialist("weather", "hi", None)
            .collect()
            .await;
        let types = support::types(&bad);
        assert_eq!(
            types.iter().filter(|t| **t == "error").count(),
            2,
            "{types:?}"
        );
        assert_ne!(types.last(), Some(&"tool-agent"));
    }
    let good: Vec<_> = runtime
        .run_specialist("weather", "hi", None)
        .collect()
        .await;
    let types = support::types(&good);
    assert_eq!(types.last(), Some(&"tool-agent"), "{types:?}");
    assert!(types.contains(&"text") && !types.contains(&"error"));
}
