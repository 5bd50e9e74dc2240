//! The scripted interpreter (runtime-behavior §6.2, §12): a single tool on a specialist
//! (events.md §4.3) and the W1 flow, a coordinator routing through `call_agent` to a
//! specialist with a host tool (events.md §3.5, runtime-behavior §4.1, §5.2, §5.3).

mod common;

use common::*;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
use serde_json::{json, Value};

fn echo_runtime(log: &CallLog) -> Runtime {
    let log = log.clone();
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("worker", MODEL, "You echo."))
        .tool(
            "worker",
            ToolDef::new("echo", json!({"type": "object"})),
            move |args, ctx| {
                record(&log, &args, &ctx);
                async move { Ok(json!({"echo": args["value"]})) }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

#[tokio::test]
async fn scripted_single_tool_on_a_specialist() {
    let log = call_log();
    let runtime = echo_runtime(&log);
    let script = json!({"tool": "echo", "args": {"value": "hello"}}).to_string();
    let events = collect(runtime.run_specialist("worker", &script, Some("thread-1"))).await;
    let id = entry_id(&events);
    let args = json!({"value": "hello"});
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "echo", &args),
        tool_result("scripted-tool-1", "echo", &args, &json!({"echo": "hello"})),
        r#"{"text":"{\"echo\":\"hello\"}","type":"text"}"#.to_string(),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);

    let calls = log.lock().unwrap().clone();
    assert_eq!(
        calls,
        vec![Call {
            args,
            tool_use_id: "scripted-tool-1".into(),
            agent_name: "worker".into(),
            thread_id: "thread-1".into(),
            resource_id: "acme".into(),
        }]
    );
}

#[tokio::test]
async fn specialist_thread_defaults_to_specialist_uuid() {
    let log = call_log();
    let runtime = echo_runtime(&log);
    let script = json!({"tool": "echo", "args": {"value": 1}}).to_string();
    let events = collect(runtime.run_specialist("worker", &script, None)).await;
    assert_eq!(events[4].to_string(), text(r#"{"echo":1}"#));
    let again = collect(runtime.run_specialist("worker", &script, None)).await;
    assert_eq!(again.len(), 7);
    let calls = log.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        let uuid = call
            .thread_id
            .strip_prefix("specialist-")
            .expect("specialist-<uuid>");
        assert_inv_id(&format!("inv-{uuid}"));
    }
    assert_ne!(calls[0].thread_id, calls[1].thread_id);
}

/// The W1 topology: `coordinator` routes to `product_insights`, whose `search_products`
/// returns a fixed product.
fn w1_runtime(log: &CallLog) -> Runtime {
    let log = log.clone();
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route product questions.",
            &["product_insights"],
        ))
        .agent(AgentSpec::specialist(
            "product_insights",
            MODEL,
            "Answer product questions.",
        ))
        .tool(
            "product_insights",
            ToolDef::new("search_products", json!({"type": "object"}))
                .description("Search products."),
            move |args, ctx| {
                record(&log, &args, &ctx);
                async move { Ok(json!({"sku": "SKU-1", "price": 9.99})) }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

fn search_script(query: &str) -> String {
    json!({"tool": "search_products", "args": {"query": query}}).to_string()
}

fn route_args(prompt: &str) -> Value {
    json!({"agent": "product_insights", "prompt": prompt})
}

/// The expected events of one `call_agent` hop to `product_insights` with id `call_id`.
fn routed_hop(call_id: &str, query: &str) -> Vec<String> {
    let prompt = search_script(query);
    let args = route_args(&prompt);
    let tool_args = json!({"query": query});
    let product = json!({"price": 9.99, "sku": "SKU-1"});
    let routed = json!({"agent": "product_insights", "model": MODEL, "response": r#"{"price":9.99,"sku":"SKU-1"}"#});
    vec![
        tool_call(call_id, "call_agent", &args),
        agent_call("product_insights", call_id),
        step_start(),
        tool_call("scripted-tool-1", "search_products", &tool_args),
        tool_result("scripted-tool-1", "search_products", &tool_args, &product),
        text(r#"{"price":9.99,"sku":"SKU-1"}"#),
        finish_zero(),
        agent_result("product_insights", call_id),
        tool_result(call_id, "call_agent", &args, &routed),
        text(&routed.to_string()),
    ]
}

#[tokio::test]
async fn w1_coordinator_routes_to_product_insights() {
    let log = call_log();
    let runtime = w1_runtime(&log);
    let prompt = search_script("shoes");
    let script = json!({"tool": "call_agent", "args": route_args(&prompt)}).to_string();
    let events = collect(runtime.query(&script, "thread-1")).await;
    let id = entry_id(&events);

    let mut expected = vec![agent_call("coordinator", &id), step_start()];
    expected.extend(routed_hop("scripted-tool-1", "shoes"));
    expected.extend([finish_zero(), agent_result("coordinator", &id)]);
    assert_events(&events, &expected);
    assert_eq!(events.len(), 14);

    // The call_agent result text is exactly the compact, key-sorted JSON of the result.
    assert_eq!(
        events[11].to_string(),
        r#"{"text":"{\"agent\":\"product_insights\",\"model\":\"claude-sonnet-4-6\",\"response\":\"{\\\"price\\\":9.99,\\\"sku\\\":\\\"SKU-1\\\"}\"}","type":"text"}"#
    );

    let calls = log.lock().unwrap().clone();
    assert_eq!(
        calls,
        vec![Call {
            args: json!({"query": "shoes"}),
            tool_use_id: "scripted-tool-1".into(),
            agent_name: "product_insights".into(),
            thread_id: "thread-1-product_insights".into(),
            resource_id: "acme".into(),
        }]
    );
}

#[tokio::test]
async fn w1_script_form_numbers_each_call() {
    let log = call_log();
    let runtime = w1_runtime(&log);
    let script = json!({"script": [
        {"tool": "call_agent", "args": route_args(&search_script("shoes"))},
        {"tool": "call_agent", "args": route_args(&search_script("hats"))},
    ]})
    .to_string();
    let events = collect(runtime.query(&script, "thread-1")).await;
    let id = entry_id(&events);

    let mut expected = vec![agent_call("coordinator", &id), step_start()];
    expected.extend(routed_hop("scripted-tool-1", "shoes"));
    expected.extend(routed_hop("scripted-tool-2", "hats"));
    expected.extend([finish_zero(), agent_result("coordinator", &id)]);
    assert_events(&events, &expected);

    // Numbering restarts in every agent turn; both hops share the derived thread.
    let calls = log.lock().unwrap().clone();
    let seen: Vec<_> = calls
        .iter()
        .map(|c| (c.args.clone(), c.tool_use_id.as_str(), c.thread_id.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                json!({"query": "shoes"}),
                "scripted-tool-1",
                "thread-1-product_insights"
            ),
            (
                json!({"query": "hats"}),
                "scripted-tool-1",
                "thread-1-product_insights"
            ),
        ]
    );
}

#[tokio::test]
async fn script_calls_without_args_pass_null() {
    let log = call_log();
    let runtime = echo_runtime(&log);
    let script =
        json!({"script": [{"tool": "echo"}, {"tool": "echo", "args": {"value": "b"}}]}).to_string();
    let events = collect(runtime.run_specialist("worker", &script, Some("t"))).await;
    let id = entry_id(&events);
    let b = json!({"value": "b"});
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "echo", &Value::Null),
        tool_result(
            "scripted-tool-1",
            "echo",
            &Value::Null,
            &json!({"echo": null}),
        ),
        text(r#"{"echo":null}"#),
        tool_call("scripted-tool-2", "echo", &b),
        tool_result("scripted-tool-2", "echo", &b, &json!({"echo": "b"})),
        text(r#"{"echo":"b"}"#),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
    let ids: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.tool_use_id.clone())
        .collect();
    assert_eq!(ids, ["scripted-tool-1", "scripted-tool-2"]);
}
