//! `call_agent` argument checks as tool error results (runtime-behavior §4.1 checks 1-3,
//! §5.1): the run continues to its own `finish` and `tool-agent` result.

mod common;

use common::*;
use flowai::spec::ToolkitSpec;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity};
use serde_json::{json, Value};

fn runtime() -> Runtime {
    let mut router = AgentSpec::specialist("router", MODEL, "Route.");
    router.routes = vec!["a".into()];
    router.toolkits = vec!["agents".into()];
    let mut builder = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route.",
            &["a", "b"],
        ))
        .agent(AgentSpec::specialist("a", MODEL, "A."))
        .agent(AgentSpec::specialist("b", MODEL, "B."))
        .agent(AgentSpec::specialist("c", MODEL, "C."))
        .agent(router)
        .interpreter(InterpreterKind::Scripted);
    builder.spec_mut().toolkits.push(ToolkitSpec {
        id: "agents".into(),
        config: None,
    });
    builder.build().expect("builds")
}

/// `(args, expected error message)` of every rejected `call_agent` call, in check order.
fn rejected() -> Vec<(Value, &'static str)> {
    let not_routed = "Agent 'c' is not in this caller's allowed routes: [\"a\", \"b\"]";
    vec![
        (json!({"prompt": "x"}), "Missing 'agent' name string"),
        (
            json!({"agent": "", "prompt": "x"}),
            "Missing 'agent' name string",
        ),
        (
            json!({"agent": 7, "prompt": "x"}),
            "Missing 'agent' name string",
        ),
        (Value::Null, "Missing 'agent' name string"),
        (json!({"agent": "c", "prompt": "x"}), not_routed),
        // The route check comes before the prompt check.
        (json!({"agent": "c"}), not_routed),
        (
            json!({"agent": "ghost", "prompt": "x"}),
            "Agent 'ghost' is not in this caller's allowed routes: [\"a\", \"b\"]",
        ),
        (json!({"agent": "a"}), "Missing 'prompt' string"),
        (
            json!({"agent": "a", "prompt": 5}),
            "Missing 'prompt' string",
        ),
    ]
}

#[tokio::test]
async fn each_routing_error_is_a_tool_error_and_the_run_finishes() {
    let runtime = runtime();
    for (args, message) in rejected() {
        let script = json!({"tool": "call_agent", "args": args}).to_string();
        let events = collect(runtime.query(&script, "thread-1")).await;
        let id = entry_id(&events);
        let expected = [
            agent_call("coordinator", &id),
            step_start(),
            tool_call("scripted-tool-1", "call_agent", &args),
            tool_result(
                "scripted-tool-1",
                "call_agent",
                &args,
                &json!({"error": message}),
            ),
            finish_zero(),
            agent_result("coordinator", &id),
        ];
        assert_events(&events, &expected);
    }
}

#[tokio::test]
async fn errors_then_a_good_route_in_one_script() {
    let runtime = runtime();
    let mut calls: Vec<Value> = rejected()
        .iter()
        .map(|(args, _)| json!({"tool": "call_agent", "args": args}))
        .collect();
    calls.push(json!({"tool": "call_agent", "args": {"agent": "b", "prompt": "plain words"}}));
    let script = json!({"script": calls}).to_string();
    let events = collect(runtime.query(&script, "thread-1")).await;
    let id = entry_id(&events);

    let mut expected = vec![agent_call("coordinator", &id), step_start()];
    for (i, (args, message)) in rejected().into_iter().enumerate() {
        let call_id = format!("scripted-tool-{}", i + 1);
        expected.push(tool_call(&call_id, "call_agent", &args));
        expected.push(tool_result(
            &call_id,
            "call_agent",
            &args,
            &json!({"error": message}),
        ));
    }
    let good_id = format!("scripted-tool-{}", rejected().len() + 1);
    let args = json!({"agent": "b", "prompt": "plain words"});
    let routed = json!({"agent": "b", "model": MODEL, "response": "plain words"});
    expected.extend([
        tool_call(&good_id, "call_agent", &args),
        agent_call("b", &good_id),
        step_start(),
        text("plain words"),
        finish_zero(),
        agent_result("b", &good_id),
        tool_result(&good_id, "call_agent", &args, &routed),
        text(r#"{"agent":"b","model":"claude-sonnet-4-6","response":"plain words"}"#),
        finish_zero(),
        agent_result("coordinator", &id),
    ]);
    assert_events(&events, &expected);
}

#[tokio::test]
async fn a_specialist_with_the_agents_toolkit_routes_by_its_own_routes() {
    let runtime = runtime();
    let script = json!({"script": [
        {"tool": "call_agent", "args": {"agent": "b", "prompt": "x"}},
        {"tool": "call_agent", "args": {"agent": "a", "prompt": "from router"}},
    ]})
    .to_string();
    let events = collect(runtime.run_specialist("router", &script, Some("r"))).await;
    let id = entry_id(&events);
    let denied = json!({"agent": "b", "prompt": "x"});
    let allowed = json!({"agent": "a", "prompt": "from router"});
    let routed = json!({"agent": "a", "model": MODEL, "response": "from router"});
    let expected = [
        agent_call("router", &id),
        step_start(),
        tool_call("scripted-tool-1", "call_agent", &denied),
        tool_result(
            "scripted-tool-1",
            "call_agent",
            &denied,
            &json!({"error": "Agent 'b' is not in this caller's allowed routes: [\"a\"]"}),
        ),
        tool_call("scripted-tool-2", "call_agent", &allowed),
        agent_call("a", "scripted-tool-2"),
        step_start(),
        text("from router"),
        finish_zero(),
        agent_result("a", "scripted-tool-2"),
        tool_result("scripted-tool-2", "call_agent", &allowed, &routed),
        text(&routed.to_string()),
        finish_zero(),
        agent_result("router", &id),
    ];
    assert_events(&events, &expected);
}

#[tokio::test]
async fn a_specialist_without_the_agents_toolkit_cannot_route() {
    let mut lone = AgentSpec::specialist("lone", MODEL, "Alone.");
    lone.routes = vec!["a".into()];
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(lone)
        .agent(AgentSpec::specialist("a", MODEL, "A."))
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds");
    let script = json!({"tool": "call_agent", "args": {"agent": "a", "prompt": "x"}}).to_string();
    let events = collect(runtime.run_specialist("lone", &script, Some("t"))).await;
    let id = entry_id(&events);
    let expected = [
        agent_call("lone", &id),
        step_start(),
        error("scripted interpreter has no dispatcher"),
        error("agent failed: scripted interpreter has no dispatcher"),
    ];
    assert_events(&events, &expected);
}
