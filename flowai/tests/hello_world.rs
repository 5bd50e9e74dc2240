//! The documented hello world on the testing interpreter (events.md §4.1, runtime-behavior
//! §6.3) and the `noop` sequence (events.md §4.2, runtime-behavior §6.1).

mod common;

use common::*;
use flowai::{AgentSpec, InterpreterKind, Runtime, RuntimeOptions, RuntimeSpec, TenantIdentity};

fn hello_runtime() -> Runtime {
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "hello_coordinator",
            MODEL,
            "Greet the user.",
            &["greeter"],
        ))
        .agent(AgentSpec::specialist("greeter", MODEL, "Say hello."))
        .interpreter(InterpreterKind::Mock {
            response: "hello from the Rust runtime".into(),
        })
        .build()
        .expect("the hello world builds")
}

#[tokio::test]
async fn hello_world_is_exactly_the_seven_documented_events() {
    let runtime = hello_runtime();
    let events = collect(runtime.query("Say hello", "thread-1")).await;
    assert_eq!(events.len(), 7, "{:#?}", wire(&events));

    let id = entry_id(&events);
    let expected = [
        format!(
            r#"{{"agentName":"hello_coordinator","state":"call","toolInvocationId":"{id}","type":"tool-agent"}}"#
        ),
        r#"{"type":"step-start"}"#.to_string(),
        r#"{"text":"Received: Say hello\n\n","type":"text"}"#.to_string(),
        r#"{"text":"hello from the Rust runtime","type":"text"}"#.to_string(),
        concat!(
            r#"{"data":{"hadTimeout":false,"phases":{"llmCalls":1,"llmTimeMs":0,"subAgentTimeMs":0,"#,
            r#""toolTimeMs":0},"retryCount":0,"toolTimings":[],"totalDurationMs":0},"#,
            r#""type":"data-latency-summary"}"#
        )
        .to_string(),
        concat!(
            r#"{"finishReason":"stop","type":"finish","usage":{"cacheCreationInputTokens":0,"#,
            r#""cacheReadInputTokens":0,"completionTokens":25,"promptTokens":50,"totalTokens":75}}"#
        )
        .to_string(),
        format!(
            r#"{{"agentName":"hello_coordinator","state":"result","toolInvocationId":"{id}","type":"tool-agent"}}"#
        ),
    ];
    assert_events(&events, &expected);

    // Both framing events carry the same id; the greeter never runs.
    let values: Vec<_> = events.iter().map(|e| e.to_value()).collect();
    assert_eq!(values[0]["toolInvocationId"], values[6]["toolInvocationId"]);
    assert!(values.iter().all(|v| v["agentName"] != "greeter"));
    assert_eq!(
        events.iter().filter(|e| e.type_name() == "finish").count(),
        1
    );
}

#[tokio::test]
async fn every_query_gets_a_fresh_invocation_id() {
    let runtime = hello_runtime();
    let first = collect(runtime.query("Say hello", "thread-1")).await;
    let second = collect(runtime.query("Say hello", "thread-2")).await;
    let (a, b) = (entry_id(&first), entry_id(&second));
    assert_ne!(a, b);
    assert_eq!(second.len(), 7);
    assert_eq!(second[2].to_string(), text("Received: Say hello\n\n"));
}

#[tokio::test]
async fn hello_world_through_runtime_new_matches_the_builder() {
    let mut spec = RuntimeSpec::new(TenantIdentity::new("acme", "v1"));
    spec.agents.push(AgentSpec::coordinator(
        "hello_coordinator",
        MODEL,
        "Greet.",
        &["greeter"],
    ));
    spec.agents
        .push(AgentSpec::specialist("greeter", MODEL, "Say hello."));
    assert_eq!(
        serde_json::Value::Object(spec.providers.clone()),
        serde_json::json!({"anthropic": {"apiKey": "unused"}})
    );
    let options = RuntimeOptions {
        interpreter: InterpreterKind::Mock {
            response: "hello from the Rust runtime".into(),
        },
        ..RuntimeOptions::default()
    };
    let runtime = Runtime::new(spec, options).expect("builds");
    assert_eq!(runtime.resource_id(), "acme");
    let events = collect(runtime.query("Say hello", "thread-1")).await;
    let id = entry_id(&events);
    assert_eq!(events.len(), 7);
    assert_eq!(events[3].to_string(), text("hello from the Rust runtime"));
    assert_eq!(
        events[6].to_string(),
        agent_result("hello_coordinator", &id)
    );
}

#[tokio::test]
async fn mock_on_a_specialist_echoes_its_own_prompt() {
    let runtime = hello_runtime();
    let events = collect(runtime.run_specialist("greeter", "Hi there", Some("t"))).await;
    let id = entry_id(&events);
    assert_eq!(events.len(), 7, "{:#?}", wire(&events));
    assert_eq!(events[0].to_string(), agent_call("greeter", &id));
    assert_eq!(events[2].to_string(), text("Received: Hi there\n\n"));
    assert_eq!(events[3].to_string(), text("hello from the Rust runtime"));
    assert_eq!(events[6].to_string(), agent_result("greeter", &id));
}

fn noop_runtime() -> Runtime {
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route.",
            &["worker"],
        ))
        .agent(AgentSpec::specialist("worker", MODEL, "Work."))
        .build()
        .expect("builds with the default (noop) interpreter")
}

#[tokio::test]
async fn noop_query_is_step_start_then_zero_finish() {
    let runtime = noop_runtime();
    let events = collect(runtime.query("hello", "t")).await;
    let id = entry_id(&events);
    let expected = [
        agent_call("coordinator", &id),
        step_start(),
        finish_zero(),
        agent_result("coordinator", &id),
    ];
    assert_events(&events, &expected);
}

#[tokio::test]
async fn noop_specialist_has_no_text_and_no_tools() {
    let runtime = noop_runtime();
    let events = collect(runtime.run_specialist("worker", r#"{"tool":"x"}"#, None)).await;
    let id = entry_id(&events);
    let expected = [
        agent_call("worker", &id),
        step_start(),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
}
