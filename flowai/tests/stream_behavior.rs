//! Stream object behaviors (events.md §5): back-pressure (a run that produces far more events
//! than the bounded channel holds delivers every one, in order), single use, nothing running
//! before the first poll, and cancel safety of a pending read.

mod common;

use common::*;
use flowai::event::CHANNEL_CAPACITY;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
use futures::{FutureExt, StreamExt};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

const CALLS: usize = 100;

fn counting_runtime(counter: &Arc<AtomicUsize>) -> Runtime {
    let counter = counter.clone();
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("worker", MODEL, "Count."))
        .tool(
            "worker",
            ToolDef::new("count", json!({"type": "object"})),
            move |args, _ctx| {
                let seen = counter.fetch_add(1, Ordering::SeqCst) + 1;
                async move { Ok(json!({"i": args["i"], "seen": seen})) }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

fn script() -> String {
    script_of(CALLS)
}

fn script_of(n: usize) -> String {
    let calls: Vec<_> = (1..=n)
        .map(|i| json!({"tool": "count", "args": {"i": i}}))
        .collect();
    json!({"script": calls}).to_string()
}

fn expected(id: &str) -> Vec<String> {
    expected_of(id, CALLS)
}

fn expected_of(id: &str, n: usize) -> Vec<String> {
    let mut expected = vec![agent_call("worker", id), step_start()];
    for i in 1..=n {
        let call_id = format!("scripted-tool-{i}");
        let args = json!({"i": i});
        let result = json!({"i": i, "seen": i});
        expected.push(tool_call(&call_id, "count", &args));
        expected.push(tool_result(&call_id, "count", &args, &result));
        expected.push(text(&result.to_string()));
    }
    expected.extend([finish_zero(), agent_result("worker", id)]);
    expected
}

#[tokio::test]
async fn a_hundred_calls_arrive_complete_and_in_order() {
    assert_eq!(CHANNEL_CAPACITY, 32);
    let counter = Arc::new(AtomicUsize::new(0));
    let runtime = counting_runtime(&counter);
    let events = collect(runtime.run_specialist("worker", &script(), Some("t"))).await;
    assert_eq!(events.len(), 3 * CALLS + 4);
    assert!(events.len() > CHANNEL_CAPACITY);
    let id = entry_id(&events);
    assert_events(&events, &expected(&id));
    assert_eq!(counter.load(Ordering::SeqCst), CALLS);
}

#[tokio::test]
async fn a_slow_reader_pauses_the_run_instead_of_losing_events() {
    let counter = Arc::new(AtomicUsize::new(0));
    let runtime = counting_runtime(&counter);
    let mut stream = runtime.run_specialist("worker", &script(), Some("t"));

    // The first read runs the run only until the channel is full.
    let first = stream.next().await.expect("first event");
    let ran = counter.load(Ordering::SeqCst);
    assert!(
        ran < CALLS,
        "the run went {ran} calls ahead of a reader that took one event"
    );
    assert!(
        ran * 3 <= CHANNEL_CAPACITY + 3,
        "{ran} calls exceed the channel's capacity"
    );

    // Reading slowly, yielding between events, still yields everything in order.
    let mut events = vec![first];
    while let Some(part) = stream.next().await {
        events.push(part);
        tokio::task::yield_now().await;
    }
    let id = entry_id(&events);
    assert_events(&events, &expected(&id));
    assert_eq!(counter.load(Ordering::SeqCst), CALLS);
}

#[tokio::test]
async fn a_stream_is_consumed_once() {
    let counter = Arc::new(AtomicUsize::new(0));
    let runtime = counting_runtime(&counter);
    let mut stream = runtime.run_specialist("worker", &script_of(2), Some("t"));
    let mut events = Vec::new();
    while let Some(part) = stream.next().await {
        events.push(part);
    }
    let id = entry_id(&events);
    assert_events(&events, &expected_of(&id, 2));
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
    assert!(!stream.drives_run());
    assert!(stream.collect::<Vec<_>>().await.is_empty());
    assert_eq!(counter.load(Ordering::SeqCst), 2);

    // A request-level error stream ends after its single event, and stays ended.
    let mut stream = runtime.run_specialist("ghost", "x", None);
    assert_eq!(
        stream.next().await.map(|e| e.to_string()),
        Some(error("specialist 'ghost' not found"))
    );
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn nothing_runs_until_the_stream_is_polled() {
    let counter = Arc::new(AtomicUsize::new(0));
    let runtime = counting_runtime(&counter);
    let stream = runtime.run_specialist("worker", &script_of(3), Some("t"));
    tokio::task::yield_now().await;
    assert_eq!(counter.load(Ordering::SeqCst), 0);
    assert!(stream.drives_run());
    drop(stream);
    assert_eq!(counter.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_dropped_pending_read_loses_no_event() {
    let gate = Arc::new(Notify::new());
    let opened = gate.clone();
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("worker", MODEL, ""))
        .tool(
            "worker",
            ToolDef::new("gate", json!({"type": "object"})),
            move |_args, _ctx| {
                let opened = opened.clone();
                async move {
                    opened.notified().await;
                    Ok(json!("open"))
                }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds");
    let mut stream = runtime.run_specialist("worker", r#"{"tool":"gate"}"#, Some("t"));
    let mut events = Vec::new();
    for _ in 0..3 {
        events.push(stream.next().await.expect("framing, step-start, call"));
    }
    // The run waits on the gate: a read started now is pending; dropping it loses nothing.
    assert!(stream.next().now_or_never().is_none());
    assert!(stream.next().now_or_never().is_none());
    gate.notify_one();
    while let Some(part) = stream.next().await {
        events.push(part);
    }
    let id = entry_id(&events);
    let null = serde_json::Value::Null;
    let expected = [
        agent_call("worker", &id),
        step_start(),
        tool_call("scripted-tool-1", "gate", &null),
        tool_result("scripted-tool-1", "gate", &null, &json!("open")),
        text(r#""open""#),
        finish_zero(),
        agent_result("worker", &id),
    ];
    assert_events(&events, &expected);
}
