//! Memory of stateful agents (runtime-behavior §1 step 5, §5.2, §13): the user prompt, tool
//! interactions `{callId, toolName, arguments, result}` and the assistant response, appended
//! per successful turn under the agent's thread; stateless agents store nothing.

mod common;

use common::*;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
use serde_json::{json, Value};

fn w1_runtime(specialist_stateful: bool) -> Runtime {
    let mut specialist =
        AgentSpec::specialist("product_insights", MODEL, "Answer product questions.");
    specialist.stateful = specialist_stateful;
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route.",
            &["product_insights"],
        ))
        .agent(specialist)
        .tool(
            "product_insights",
            ToolDef::new("search_products", json!({"type": "object"})),
            |_args, _ctx| async { Ok(json!({"sku": "SKU-1", "price": 9.99})) },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

fn route_script(query: &str) -> (String, Value) {
    let prompt = json!({"tool": "search_products", "args": {"query": query}}).to_string();
    let args = json!({"agent": "product_insights", "prompt": prompt});
    (
        json!({"tool": "call_agent", "args": args}).to_string(),
        args,
    )
}

const ROUTED_RESPONSE: &str = r#"{"agent":"product_insights","model":"claude-sonnet-4-6","response":"{\"price\":9.99,\"sku\":\"SKU-1\"}"}"#;

/// The three messages one routed coordinator turn stores.
fn coordinator_turn(script: &str, args: &Value) -> Vec<Value> {
    vec![
        json!({"content": script, "role": "user"}),
        json!({
            "arguments": args,
            "callId": "scripted-tool-1",
            "result": {"agent": "product_insights", "model": MODEL, "response": r#"{"price":9.99,"sku":"SKU-1"}"#},
            "toolName": "call_agent",
        }),
        json!({"content": ROUTED_RESPONSE, "role": "assistant"}),
    ]
}

#[tokio::test]
async fn the_coordinator_remembers_prompt_tools_and_response() {
    let runtime = w1_runtime(false);
    assert_eq!(runtime.agent_memory("thread-1", "coordinator"), None);
    let (script, args) = route_script("shoes");
    let events = collect(runtime.query(&script, "thread-1")).await;
    assert_eq!(events.len(), 14, "{:#?}", wire(&events));

    let memory = runtime
        .agent_memory("thread-1", "coordinator")
        .expect("stateful coordinator");
    assert_eq!(
        memory,
        json!({"messages": coordinator_turn(&script, &args)})
    );

    // The stateless specialist stores nothing, on its derived thread or any other.
    assert_eq!(
        runtime.agent_memory("thread-1-product_insights", "product_insights"),
        None
    );
    assert_eq!(runtime.agent_memory("thread-1", "product_insights"), None);
    // Nothing leaks to other threads.
    assert_eq!(runtime.agent_memory("thread-2", "coordinator"), None);
}

#[tokio::test]
async fn a_second_query_on_the_same_thread_appends() {
    let runtime = w1_runtime(false);
    let (first, first_args) = route_script("shoes");
    let (second, second_args) = route_script("hats");
    collect(runtime.query(&first, "thread-1")).await;
    collect(runtime.query(&second, "thread-1")).await;
    collect(runtime.query("just words", "thread-2")).await;

    let mut messages = coordinator_turn(&first, &first_args);
    messages.extend(coordinator_turn(&second, &second_args));
    assert_eq!(
        runtime.agent_memory("thread-1", "coordinator"),
        Some(json!({"messages": messages}))
    );
    assert_eq!(
        runtime.agent_memory("thread-2", "coordinator"),
        Some(json!({"messages": [
            {"content": "just words", "role": "user"},
            {"content": "just words", "role": "assistant"},
        ]}))
    );
}

#[tokio::test]
async fn a_stateful_sub_agent_remembers_on_its_derived_thread() {
    let runtime = w1_runtime(true);
    let (script, _) = route_script("shoes");
    collect(runtime.query(&script, "thread-1")).await;
    let prompt = json!({"tool": "search_products", "args": {"query": "shoes"}}).to_string();
    assert_eq!(
        runtime.agent_memory("thread-1-product_insights", "product_insights"),
        Some(json!({"messages": [
            {"content": prompt, "role": "user"},
            {
                "arguments": {"query": "shoes"},
                "callId": "scripted-tool-1",
                "result": {"price": 9.99, "sku": "SKU-1"},
                "toolName": "search_products",
            },
            {"content": r#"{"price":9.99,"sku":"SKU-1"}"#, "role": "assistant"},
        ]}))
    );
    assert_eq!(runtime.agent_memory("thread-1", "product_insights"), None);
}

#[tokio::test]
async fn error_results_are_recorded_and_failed_turns_are_not() {
    let runtime = w1_runtime(false);
    let script =
        json!({"tool": "call_agent", "args": {"agent": "nobody", "prompt": "x"}}).to_string();
    collect(runtime.query(&script, "t")).await;
    assert_eq!(
        runtime.agent_memory("t", "coordinator"),
        Some(json!({"messages": [
            {"content": script, "role": "user"},
            {
                "arguments": {"agent": "nobody", "prompt": "x"},
                "callId": "scripted-tool-1",
                "result": {"error": "Agent 'nobody' is not in this caller's allowed routes: [\"product_insights\"]"},
                "toolName": "call_agent",
            },
            {"content": "", "role": "assistant"},
        ]}))
    );

    // A cancelled (failed) entry turn stores nothing.
    let stream = runtime.query("hello", "cancelled");
    stream.cancel();
    collect(stream).await;
    assert_eq!(runtime.agent_memory("cancelled", "coordinator"), None);
}

#[tokio::test]
async fn the_mock_turn_is_remembered() {
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "hello_coordinator",
            MODEL,
            "Greet.",
            &["greeter"],
        ))
        .agent(AgentSpec::specialist("greeter", MODEL, "Say hello."))
        .interpreter(InterpreterKind::Mock {
            response: "hello from the Rust runtime".into(),
        })
        .build()
        .expect("builds");
    collect(runtime.query("Say hello", "thread-1")).await;
    assert_eq!(
        runtime.agent_memory("thread-1", "hello_coordinator"),
        Some(json!({"messages": [
            {"content": "Say hello", "role": "user"},
            {"content": "Received: Say hello\n\nhello from the Rust runtime", "role": "assistant"},
        ]}))
    );
    assert_eq!(runtime.agent_memory("thread-1", "greeter"), None);
    // Clones of the handle share the stores.
    let clone = runtime.clone();
    collect(clone.query("Again", "thread-1")).await;
    let messages = runtime
        .agent_memory("thread-1", "hello_coordinator")
        .unwrap()["messages"]
        .clone();
    assert_eq!(messages.as_array().map(Vec::len), Some(4));
    assert_eq!(messages[2], json!({"content": "Again", "role": "user"}));
}
