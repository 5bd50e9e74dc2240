//! Failures (events.md §3.6, §4.7; runtime-behavior §5.4, §6.2, §12.4): sub-agent and entry
//! failures, request-level errors, tool errors, unknown tools, non-script prompts, and the
//! same runtime handle serving a good run after each bad one.

mod common;

use common::*;
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
use serde_json::json;

const NO_DISPATCHER: &str = "scripted interpreter has no dispatcher";

/// `coordinator` routes to `empty` (no tools) and `worker` (tools `echo` and `fail`).
fn runtime(calls: &CallLog) -> Runtime {
    let (echo_log, fail_log) = (calls.clone(), calls.clone());
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route.",
            &["empty", "worker"],
        ))
        .agent(AgentSpec::specialist("empty", MODEL, "No tools."))
        .agent(AgentSpec::specialist("worker", MODEL, "Tools."))
        .tool(
            "worker",
            ToolDef::new("echo", json!({"type": "object"})),
            move |args, ctx| {
                record(&echo_log, &args, &ctx);
                async move { Ok(json!({"echo": args["value"]})) }
            },
        )
        .tool(
            "worker",
            ToolDef::new("fail", json!({"type": "object"})),
            move |args, ctx| {
                record(&fail_log, &args, &ctx);
                async move { Err::<serde_json::Value, _>("ValueError: boom".to_string()) }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

fn echo_script() -> String {
    json!({"tool": "echo", "args": {"value": "ok"}}).to_string()
}

/// A good run on `worker` after a bad one: the handle is unaffected.
async fn assert_good_run(runtime: &Runtime) {
    let events = collect(runtime.run_specialist("worker", &echo_script(), Some("good"))).await;
    let id = entry_id(&events);
    let args = json!({"value": "ok"});
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "echo", &args),
        tool_result("scripted-tool-1", "echo", &args, &json!({"echo": "ok"})),
        text(r#"{"echo":"ok"}"#),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
}

#[tokio::test]
async fn sub_agent_error_is_forwarded_and_the_parent_finishes() {
    let runtime = runtime(&call_log());
    let args = json!({"agent": "empty", "prompt": echo_script()});
    let script = json!({"tool": "call_agent", "args": args}).to_string();
    let events = collect(runtime.query(&script, "thread-1")).await;
    let id = entry_id(&events);
    let failed = json!({"error": format!("Sub-agent failed: {NO_DISPATCHER}")});
    let expected = [
        agent_call("coordinator", &id),
        step_start(),
        tool_call("scripted-tool-1", "call_agent", &args),
        agent_call("empty", "scripted-tool-1"),
        step_start(),
        error(NO_DISPATCHER),
        tool_result("scripted-tool-1", "call_agent", &args, &failed),
        finish_zero(),
        agent_result("coordinator", &id),
    ];
    assert_events(&events, &expected);
    assert_good_run(&runtime).await;
}

#[tokio::test]
async fn entry_failure_adds_agent_failed_and_no_closing_frame() {
    let runtime = runtime(&call_log());
    let events = collect(runtime.run_specialist("empty", &echo_script(), Some("t"))).await;
    let id = entry_id(&events);
    let expected = [
        agent_call("empty", &id),
        step_start(),
        error(NO_DISPATCHER),
        error(&format!("agent failed: {NO_DISPATCHER}")),
    ];
    assert_events(&events, &expected);
    assert_good_run(&runtime).await;
}

#[tokio::test]
async fn request_level_errors_are_a_single_error_event() {
    let runtime = runtime(&call_log());
    let cases = [
        (
            runtime.run_specialist("ghost", "hi", Some("t")),
            "specialist 'ghost' not found",
        ),
        (
            runtime.run_specialist("coordinator", "hi", Some("t")),
            "agent 'coordinator' is not a specialist",
        ),
    ];
    for (stream, message) in cases {
        let events = collect(stream).await;
        assert_events(&events, &[error(message)]);
        assert_good_run(&runtime).await;
    }

    let headless = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("worker", MODEL, "Work."))
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds without a coordinator");
    let events = collect(headless.query("hi", "t")).await;
    assert_eq!(
        wire(&events),
        [r#"{"error":{"message":"no coordinator agent registered in the spec"},"type":"error"}"#]
    );
    let events = collect(headless.run_specialist("worker", "still works", Some("t"))).await;
    let id = entry_id(&events);
    assert_events(
        &events,
        &[
            agent_call("worker", &id),
            step_start(),
            text("still works"),
            finish_zero(),
            agent_result("worker", &id),
        ],
    );
}

#[tokio::test]
async fn a_tool_returning_err_is_an_error_result_without_echo() {
    let calls = call_log();
    let runtime = runtime(&calls);
    let script = json!({"script": [
        {"tool": "fail", "args": {"x": 1}},
        {"tool": "echo", "args": {"value": "after"}},
    ]})
    .to_string();
    let events = collect(runtime.run_specialist("worker", &script, Some("t"))).await;
    let id = entry_id(&events);
    let (x, after) = (json!({"x": 1}), json!({"value": "after"}));
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "fail", &x),
        tool_result(
            "scripted-tool-1",
            "fail",
            &x,
            &json!({"error": "ValueError: boom"}),
        ),
        tool_call("scripted-tool-2", "echo", &after),
        tool_result("scripted-tool-2", "echo", &after, &json!({"echo": "after"})),
        text(r#"{"echo":"after"}"#),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
    let ids: Vec<_> = calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.tool_use_id.clone())
        .collect();
    assert_eq!(ids, ["scripted-tool-1", "scripted-tool-2"]);
    assert_good_run(&runtime).await;
}

#[tokio::test]
async fn an_unknown_tool_is_a_pair_with_an_error_result() {
    let calls = call_log();
    let runtime = runtime(&calls);
    let script = json!({"tool": "nope", "args": {"q": true}}).to_string();
    let events = collect(runtime.run_specialist("worker", &script, Some("t"))).await;
    let id = entry_id(&events);
    let args = json!({"q": true});
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "nope", &args),
        tool_result(
            "scripted-tool-1",
            "nope",
            &args,
            &json!({"error": "Unknown tool: nope"}),
        ),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
    assert!(calls.lock().unwrap().is_empty());
    assert_good_run(&runtime).await;
}

#[tokio::test]
async fn a_non_script_prompt_is_echoed_verbatim() {
    let runtime = runtime(&call_log());
    // Neither a JSON object with `tool` nor one with a `script` list: all verbatim text.
    for prompt in [
        "hello there",
        r#"{"script": "not a list"}"#,
        r#"{"tool": 7}"#,
        "[1, 2]",
        "  {\"x\": 1}",
    ] {
        for agent in ["worker", "empty"] {
            let events = collect(runtime.run_specialist(agent, prompt, Some("t"))).await;
            let id = entry_id(&events);
            let expected = [
                agent_call(agent, &id),
                step_start(),
                text(prompt),
                finish_zero(),
                agent_result(agent, &id),
            ];
            assert_events(&events, &expected);
        }
    }
    assert_good_run(&runtime).await;
}

#[tokio::test]
async fn error_events_render_with_optional_code_omitted() {
    let runtime = runtime(&call_log());
    let events = collect(runtime.run_specialist("ghost", "x", None)).await;
    assert_eq!(
        events,
        vec![StreamPart::Error {
            message: "specialist 'ghost' not found".into(),
            code: None
        }]
    );
    assert_eq!(
        events[0].to_value(),
        json!({"error": {"message": "specialist 'ghost' not found"}, "type": "error"})
    );
}
