//! Cancellation (runtime-behavior §4.1, §6.3, §12.4, §15; events.md §5 `cancel()`).

mod common;

use common::*;
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::json;

fn mock_runtime() -> Runtime {
    Runtime::builder(TenantIdentity::new("acme", "v1"))
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
        .expect("builds")
}

/// `waiter` has `wait`, a tool that never completes on its own, and `echo`.
fn waiting_runtime(log: &CallLog) -> Runtime {
    let log = log.clone();
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("waiter", MODEL, "Wait."))
        .tool(
            "waiter",
            ToolDef::new("wait", json!({"type": "object"})),
            move |args, ctx| {
                record(&log, &args, &ctx);
                async move {
                    futures::future::pending::<()>().await;
                    Ok(json!({"never": true}))
                }
            },
        )
        .tool(
            "waiter",
            ToolDef::new("echo", json!({"type": "object"})),
            |args, _ctx| async move { Ok(args) },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

#[tokio::test]
async fn cancel_before_the_first_poll_on_the_mock() {
    let runtime = mock_runtime();
    let stream = runtime.query("Say hello", "thread-1");
    assert!(!stream.is_cancelled());
    stream.cancel();
    stream.cancel(); // idempotent
    assert!(stream.is_cancelled());
    let events = collect(stream).await;
    let id = entry_id(&events);
    let expected = [
        agent_call("hello_coordinator", &id),
        step_start(),
        error("Request cancelled"),
        error("agent failed: Request cancelled"),
    ];
    assert_events(&events, &expected);

    // Only that request was cancelled: the handle still serves the hello world.
    let events = collect(runtime.query("Say hello", "thread-1")).await;
    assert_eq!(events.len(), 7);
    assert_eq!(events[3].to_string(), text("hello from the Rust runtime"));
}

/// What may follow a cancelled tool result (runtime-behavior §4.1, §12.4, §15): further calls
/// answered `Cancelled` (never echoed), cancelled sub-agent invocations, the turn closing or
/// failing with `Request cancelled`.
fn assert_cancelled_tail(events: &[StreamPart]) {
    for part in events {
        let v = part.to_value();
        match part.type_name() {
            "tool-invocation" if v["state"] == "result" => {
                let cancelled = [
                    json!({"error": "Cancelled"}),
                    json!({"error": "Sub-agent invocation cancelled"}),
                ];
                assert!(cancelled.contains(&v["result"]), "{part}")
            }
            "tool-invocation" | "finish" | "tool-agent" => {}
            "error" => assert!(
                ["Request cancelled", "agent failed: Request cancelled"]
                    .contains(&v["error"]["message"].as_str().unwrap_or_default()),
                "{part}"
            ),
            _ => panic!("unexpected event after cancellation: {part}"),
        }
    }
}

/// Reads events up to and including the `call` of `tool`.
async fn read_until_call(stream: &mut flowai::RunStream, tool: &str) -> Vec<StreamPart> {
    let mut events = Vec::new();
    while let Some(part) = stream.next().await {
        let v = part.to_value();
        let done = v["type"] == "tool-invocation" && v["state"] == "call" && v["toolName"] == tool;
        events.push(part);
        if done {
            return events;
        }
    }
    panic!("no call of {tool}: {:#?}", wire(&events));
}

#[tokio::test]
async fn cancel_while_a_tool_is_pending() {
    let log = call_log();
    let runtime = waiting_runtime(&log);
    let script = json!({"script": [
        {"tool": "wait", "args": {"n": 1}},
        {"tool": "wait", "args": {"n": 2}},
        {"tool": "echo", "args": {"n": 3}},
    ]})
    .to_string();
    let mut stream = runtime.run_specialist("waiter", &script, Some("t"));

    let before = read_until_call(&mut stream, "wait").await;
    let id = entry_id(&before);
    let n1 = json!({"n": 1});
    assert_events(
        &before,
        &[
            agent_call("waiter", &id),
            step_start(),
            tool_call("scripted-tool-1", "wait", &n1),
        ],
    );
    // Nothing more is buffered while the tool waits.
    assert!(!stream.has_buffered());

    stream.cancel();
    let mut after = Vec::new();
    while let Some(part) = stream.next().await {
        after.push(part);
    }
    assert!(
        stream.next().await.is_none(),
        "a drained stream stays ended"
    );

    let cancelled = json!({"error": "Cancelled"});
    assert_eq!(
        after.first().map(ToString::to_string),
        Some(tool_result("scripted-tool-1", "wait", &n1, &cancelled))
    );
    assert_cancelled_tail(&after[1..]);
    // The pending tool was entered once; later calls on the cancelled request never ran it.
    let calls = log.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool_use_id, "scripted-tool-1");
}

#[tokio::test]
async fn cancelling_a_routed_sub_agent_is_a_cancelled_invocation() {
    let log = call_log();
    let inner = log.clone();
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            MODEL,
            "Route.",
            &["waiter"],
        ))
        .agent(AgentSpec::specialist("waiter", MODEL, "Wait."))
        .tool(
            "waiter",
            ToolDef::new("wait", json!({"type": "object"})),
            move |args, ctx| {
                record(&inner, &args, &ctx);
                futures::future::pending::<Result<serde_json::Value, String>>()
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds");
    let args = json!({"agent": "waiter", "prompt": r#"{"tool":"wait"}"#});
    let script = json!({"script": [
        {"tool": "call_agent", "args": args},
        {"tool": "call_agent", "args": args},
    ]})
    .to_string();
    let mut stream = runtime.query(&script, "thread-1");
    let before = read_until_call(&mut stream, "wait").await;
    let id = entry_id(&before);
    let null = serde_json::Value::Null;
    assert_events(
        &before,
        &[
            agent_call("coordinator", &id),
            step_start(),
            tool_call("scripted-tool-1", "call_agent", &args),
            agent_call("waiter", "scripted-tool-1"),
            step_start(),
            tool_call("scripted-tool-1", "wait", &null),
        ],
    );
    stream.cancel();
    let after = collect(stream).await;
    assert_eq!(
        after.first().map(ToString::to_string),
        Some(tool_result(
            "scripted-tool-1",
            "wait",
            &null,
            &json!({"error": "Cancelled"})
        ))
    );
    // runtime-behavior §4.1 step 6: the routed call fails as a cancelled invocation.
    let routed: Vec<_> = after
        .iter()
        .map(StreamPart::to_value)
        .filter(|v| v["toolName"] == "call_agent" && v["state"] == "result")
        .collect();
    let first = routed
        .first()
        .unwrap_or_else(|| panic!("no call_agent result: {:#?}", wire(&after)));
    assert_eq!(first["toolInvocationId"], "scripted-tool-1");
    assert_eq!(
        first["result"],
        json!({"error": "Sub-agent invocation cancelled"}),
        "{:#?}",
        wire(&after)
    );
    assert!(
        after.iter().all(|e| e.type_name() != "text"),
        "{:#?}",
        wire(&after)
    );
    // The failed sub-agent has no closing frame, and the second route starts no sub-agent.
    let frames = after
        .iter()
        .filter(|e| e.to_value()["agentName"] == "waiter")
        .count();
    assert_eq!(frames, 0, "{:#?}", wire(&after));
    assert_cancelled_tail(&after[1..]);
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn cancel_from_another_task_wakes_the_run() {
    let runtime = waiting_runtime(&call_log());
    let stream = runtime.run_specialist("waiter", r#"{"tool":"wait","args":{}}"#, Some("t"));
    let token = stream.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::task::yield_now().await;
        token.cancel();
    });
    let events = collect(stream).await;
    canceller.await.expect("canceller ran");
    let id = entry_id(&events);
    let args = json!({});
    let expected = [
        agent_call("waiter", &id),
        step_start(),
        tool_call("scripted-tool-1", "wait", &args),
        tool_result(
            "scripted-tool-1",
            "wait",
            &args,
            &json!({"error": "Cancelled"}),
        ),
    ];
    assert_events(&events[..4], &expected);
    assert!(
        events.iter().all(|e| e.type_name() != "text"),
        "{:#?}",
        wire(&events)
    );
}
