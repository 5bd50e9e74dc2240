//! Durable runs across restarts, on every backend: a tool call interrupted mid-flight
//! surfaces as in doubt instead of running twice (and runs again only if approved, or if
//! the tool is idempotent), completed calls are not run again on resume, the journal has
//! every event once and in order, and unknown runs and run filters behave. Approval
//! decisions across runtimes are in `durable_decisions.rs`.

mod common;
mod durable_support;

use common::*;
use durable_support::*;
use flowai::approval::Decision;
use flowai::store::{MemoryStore, Store};
use flowai::trace::{RunFilter, RunStatus};
use flowai::{AgentSpec, InterpreterKind, StreamPart, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Drives `stream` until its tool call hangs, then drops it (the process dies mid-call).
async fn die_mid_call(mut stream: flowai::RunStream) -> String {
    let run = stream.run_id().unwrap().to_string();
    read_until_it_hangs(&mut stream).await;
    run
}

/// Reads events until none comes for 200 ms (the run hangs inside a tool call).
async fn read_until_it_hangs(stream: &mut flowai::RunStream) {
    loop {
        match tokio::time::timeout(Duration::from_millis(200), stream.next()).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the run finished instead of hanging"),
            Err(_) => return,
        }
    }
}

#[tokio::test]
async fn an_interrupted_tool_call_is_in_doubt_and_runs_again_only_if_approved() {
    for (outcome, runs_again) in [("approve", true), ("reject", false)] {
        for (_, open) in backends("doubt") {
            in_doubt(&open, outcome, runs_again).await;
        }
    }
}

async fn in_doubt(open: &Open, outcome: &str, runs_again: bool) {
    {
        let hung = Arc::new(AtomicUsize::new(0));
        let first = runtime(open(), hung.clone(), true, false);
        let run_id = die_mid_call(first.query(&script(), "t1")).await;
        assert_eq!(hung.load(Ordering::SeqCst), 1, "the call had started");
        drop(first);

        let calls = Arc::new(AtomicUsize::new(0));
        let second = runtime(open(), calls.clone(), false, false);
        let mut resumed = second.resume(&run_id);
        let seen = until(&mut resumed, "approval-required").await;
        let doubt = seen
            .iter()
            .find(|e| e["type"] == "data-tool-in-doubt")
            .unwrap();
        assert_eq!(doubt["data"]["toolName"], "charge");
        assert_eq!(doubt["data"]["runId"], run_id.as_str());
        assert_eq!(doubt["data"]["args"], json!({"cents": 500}));
        let request = &seen.last().unwrap()["data"];
        assert_eq!(request["kind"], "tool");
        assert_eq!(request["target"], "charge");
        assert_eq!(calls.load(Ordering::SeqCst), 0, "not re-run silently");
        let id = request["id"].as_str().unwrap();
        let decision = Decision::parse(outcome, None, None).unwrap();
        second.respond_to_approval(id, decision).unwrap();
        let rest: Vec<Value> = resumed.map(|p| p.to_value()).collect().await;
        let result = rest
            .iter()
            .find(|e| e["toolName"] == "charge" && e["state"] == "result")
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), usize::from(runs_again));
        if runs_again {
            assert_eq!(result["result"], json!({"charged": 500}));
        } else {
            assert_eq!(result["result"]["error"], "in_doubt");
        }
        journal(&second, &run_id);
        assert_eq!(
            second.run_info(&run_id).unwrap().unwrap().status,
            RunStatus::Completed
        );
    }
}

#[tokio::test]
async fn completed_calls_are_not_run_again_on_resume() {
    // The run dies while paused on a second gated call: the first one is recorded done.
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let first = runtime(store.clone(), calls.clone(), false, true);
    let twice = json!({"script": [
        {"tool": "charge", "args": {"cents": 1}},
        {"tool": "charge", "args": {"cents": 2}},
    ]})
    .to_string();
    let mut stream = first.run_specialist("w", &twice, Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    let seen = until(&mut stream, "approval-required").await;
    let id = gate_id(&seen);
    first.respond_to_approval(&id, approve()).unwrap();
    let seen = until(&mut stream, "approval-required").await;
    assert!(seen.iter().any(|e| e["result"] == json!({"charged": 1})));
    drop(stream);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let second = runtime(store, calls.clone(), false, true);
    let pending = second.pending_approvals().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].payload, json!({"cents": 2}));
    second
        .respond_to_approval(&pending[0].id, approve())
        .unwrap();
    let rest: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert!(rest.iter().any(|e| e["result"] == json!({"charged": 2})));
    assert!(!rest.iter().any(|e| e["result"] == json!({"charged": 1})));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "each call ran exactly once"
    );
    let events = journal(&second, &run_id);
    let results = events
        .iter()
        .filter(|e| e["toolName"] == "charge" && e["state"] == "result")
        .count();
    assert_eq!(results, 2);
}

#[tokio::test]
async fn unknown_runs_and_filters() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let rt = runtime(store, Arc::new(AtomicUsize::new(0)), false, false);
    let missing: Vec<StreamPart> = rt.resume("nope").collect().await;
    assert_eq!(
        wire(&missing),
        vec![r#"{"error":{"message":"run not found: nope"},"type":"error"}"#]
    );
    let done: Vec<StreamPart> = rt.query(&script(), "t1").collect().await;
    assert!(done.iter().all(|p| p.type_name() != "error"));
    let _: Vec<StreamPart> = rt.query(&script(), "t2").collect().await;
    let t2 = RunFilter {
        thread_id: Some("t2".into()),
        ..RunFilter::default()
    };
    let runs = rt.list_runs(&t2).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].thread_id, "t2");
    assert_eq!(runs[0].agent, "c");
    assert_eq!(runs[0].entry, "query");
    let completed = RunFilter {
        status: Some(RunStatus::Completed),
        ..RunFilter::default()
    };
    assert_eq!(rt.list_runs(&completed).unwrap().len(), 2);
    // Every event of a finished run is in the journal, numbered from 1.
    let events = journal(&rt, &runs[0].run_id);
    assert_eq!(events.len(), done.len());
}

#[tokio::test]
async fn a_settled_in_doubt_call_is_passed_over_when_the_run_dies_again() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let two = json!({"script": [
        {"tool": "charge", "args": {"cents": 1}},
        {"tool": "charge", "args": {"cents": 2}},
    ]})
    .to_string();
    // Process 1 dies inside charge(1).
    let first = runtime_hanging_on(
        store.clone(),
        Arc::new(AtomicUsize::new(0)),
        Some(None),
        false,
    );
    let run_id = die_mid_call(first.run_specialist("w", &two, Some("t"))).await;
    drop(first);
    // Process 2 settles charge(1) as in doubt (approved: it runs), then dies inside charge(2).
    let second_calls = Arc::new(AtomicUsize::new(0));
    let second = runtime_hanging_on(store.clone(), second_calls.clone(), Some(Some(2)), false);
    let mut resumed = second.resume(&run_id);
    let seen = until(&mut resumed, "approval-required").await;
    let id = gate_id(&seen);
    second.respond_to_approval(&id, approve()).unwrap();
    read_until_it_hangs(&mut resumed).await;
    drop(resumed);
    drop(second);
    assert_eq!(
        second_calls.load(Ordering::SeqCst),
        2,
        "charge(1) again, then charge(2)"
    );
    // Process 3 passes over the settled charge(1) and settles charge(2).
    let third_calls = Arc::new(AtomicUsize::new(0));
    let third = runtime(store, third_calls.clone(), false, false);
    let mut resumed = third.resume(&run_id);
    let seen = until(&mut resumed, "approval-required").await;
    let doubt: Vec<&Value> = seen
        .iter()
        .filter(|e| e["type"] == "data-tool-in-doubt")
        .collect();
    assert_eq!(doubt.len(), 1);
    assert_eq!(doubt[0]["data"]["args"], json!({"cents": 2}));
    let id = gate_id(&seen);
    third.respond_to_approval(&id, approve()).unwrap();
    let rest: Vec<Value> = resumed.map(|p| p.to_value()).collect().await;
    assert_eq!(rest.last().unwrap()["type"], "tool-agent");
    assert_eq!(
        third_calls.load(Ordering::SeqCst),
        1,
        "only charge(2) ran here"
    );
    let events = journal(&third, &run_id);
    let results: Vec<&Value> = events
        .iter()
        .filter(|e| e["toolName"] == "charge" && e["state"] == "result")
        .map(|e| &e["result"])
        .collect();
    assert_eq!(results, [&json!({"charged": 1}), &json!({"charged": 2})]);
    assert_eq!(
        third.run_info(&run_id).unwrap().unwrap().status,
        RunStatus::Completed
    );
}

#[tokio::test]
async fn an_interrupted_idempotent_call_runs_again_without_asking() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let build = |hang: bool, calls: Arc<AtomicUsize>| {
        let def = ToolDef::new("lookup", json!({"type": "object"})).idempotent();
        builder()
            .agent(AgentSpec::specialist("w", MODEL, ""))
            .tool("w", def, move |args, _ctx| {
                let calls = calls.clone();
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    if hang {
                        futures::future::pending::<()>().await;
                    }
                    Ok(json!({"found": args["sku"]}))
                }
            })
            .interpreter(InterpreterKind::Scripted)
            .store(store.clone())
            .build()
            .unwrap()
    };
    let first = build(true, Arc::new(AtomicUsize::new(0)));
    let prompt = r#"{"tool":"lookup","args":{"sku":"A-1"}}"#;
    let run_id = die_mid_call(first.run_specialist("w", prompt, Some("t"))).await;
    drop(first);
    let calls = Arc::new(AtomicUsize::new(0));
    let second = build(false, calls.clone());
    let rest: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(rest
        .iter()
        .all(|e| e["type"] != "data-tool-in-doubt" && e["type"] != "approval-required"));
    assert!(rest.iter().any(|e| e["result"] == json!({"found": "A-1"})));
    journal(&second, &run_id);
}

#[tokio::test]
async fn an_approved_rerun_cut_short_again_is_in_doubt_again() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let one = r#"{"tool":"charge","args":{"cents":1}}"#;
    // Process 1 dies inside charge(1).
    let first = runtime(store.clone(), Arc::new(AtomicUsize::new(0)), true, false);
    let run_id = die_mid_call(first.run_specialist("w", one, Some("t"))).await;
    drop(first);
    // Process 2: the call is in doubt, someone approves running it again, and the process
    // dies inside that second attempt too.
    let second_calls = Arc::new(AtomicUsize::new(0));
    let second = runtime(store.clone(), second_calls.clone(), true, false);
    let mut resumed = second.resume(&run_id);
    let seen = until(&mut resumed, "approval-required").await;
    let id = gate_id(&seen);
    second.respond_to_approval(&id, approve()).unwrap();
    read_until_it_hangs(&mut resumed).await;
    drop(resumed);
    drop(second);
    assert_eq!(second_calls.load(Ordering::SeqCst), 1);
    // Process 3 does not repeat the approved attempt silently: it asks again.
    let third_calls = Arc::new(AtomicUsize::new(0));
    let third = runtime(store, third_calls.clone(), false, false);
    let mut resumed = third.resume(&run_id);
    let seen = until(&mut resumed, "approval-required").await;
    assert!(seen.iter().any(|e| e["type"] == "data-tool-in-doubt"));
    assert_eq!(third_calls.load(Ordering::SeqCst), 0);
    let id = gate_id(&seen);
    let reject = Decision::parse("reject", None, None).unwrap();
    third.respond_to_approval(&id, reject).unwrap();
    let rest: Vec<Value> = resumed.map(|p| p.to_value()).collect().await;
    assert_eq!(third_calls.load(Ordering::SeqCst), 0);
    assert!(rest.iter().any(|e| e["result"]["error"] == "in_doubt"));
    let events = journal(&third, &run_id);
    let doubts = events
        .iter()
        .filter(|e| e["type"] == "data-tool-in-doubt")
        .count();
    assert_eq!(doubts, 2);
    assert_eq!(
        third.run_info(&run_id).unwrap().unwrap().status,
        RunStatus::Completed
    );
}
