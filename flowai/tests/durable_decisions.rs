//! Approval decisions across runtimes sharing one store (as processes would): a run paused
//! in one runtime is listed, approved and resumed in another; a decision is recorded once;
//! a run waiting at its gate goes on by itself when another runtime decides, and runs its
//! tool once even if that runtime resumes it too.

mod common;
mod durable_support;

use common::*;
use durable_support::*;
use flowai::approval::{ApprovalError, Decision};
use flowai::store::{MemoryStore, Store};
use flowai::trace::{RunFilter, RunStatus};
use flowai::{Runtime, StreamPart};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn a_paused_run_is_approved_and_resumed_on_another_runtime() {
    for (name, open) in backends("resume") {
        paused_then_resumed(name, open).await;
    }
}

async fn paused_then_resumed(name: &str, open: Open) {
    let calls = Arc::new(AtomicUsize::new(0));
    let first = runtime(open(), calls.clone(), false, true);
    let mut stream = first.query(&script(), "t1");
    let run_id = stream.run_id().unwrap().to_string();
    let before = until(&mut stream, "approval-required").await;
    let required = before.last().unwrap()["data"].clone();
    assert_eq!(required["runId"], run_id.as_str());
    // The process "stops": the stream and the runtime go away with the run paused.
    drop(stream);
    drop(first);

    let second = runtime(open(), calls.clone(), false, true);
    let runs = second.list_runs(&RunFilter::default()).unwrap();
    assert_eq!(runs.len(), 1, "{name}");
    assert_eq!(runs[0].run_id, run_id);
    assert_eq!(runs[0].status, RunStatus::Paused);
    let pending = second.pending_approvals().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, required["id"].as_str().unwrap());
    assert_eq!(pending[0].run_id, run_id);
    assert_eq!(pending[0].target, "charge");
    assert_eq!(pending[0].thread_id, "t1-w");
    second
        .respond_to_approval(&pending[0].id, approve())
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "nothing runs before resume"
    );

    let after: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(after[0]["type"], "approval-decision");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let result = after
        .iter()
        .find(|e| {
            e["type"] == "tool-invocation" && e["toolName"] == "charge" && e["state"] == "result"
        })
        .unwrap();
    assert_eq!(result["result"], json!({"charged": 500}));
    assert_eq!(after.last().unwrap()["type"], "tool-agent");
    // The journal is exactly what the two consumers saw, in one sequence.
    let mut seen = before.clone();
    seen.extend(after);
    assert_eq!(journal(&second, &run_id), seen);
    assert_eq!(
        second.run_info(&run_id).unwrap().unwrap().status,
        RunStatus::Completed
    );
    // A finished run is not resumed again.
    let again: Vec<StreamPart> = second.resume(&run_id).collect().await;
    assert_eq!(again.len(), 1);
    assert!(
        again[0].to_string().contains("is completed"),
        "{}",
        again[0]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_decision_is_recorded_once_across_runtimes() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let a = runtime(store.clone(), calls.clone(), false, true);
    let b = runtime(store.clone(), calls.clone(), false, true);
    let mut stream = a.query(&script(), "t1");
    let run_id = stream.run_id().unwrap().to_string();
    let seen = until(&mut stream, "approval-required").await;
    let id = gate_id(&seen);
    b.respond_to_approval(&id, approve()).unwrap();
    let reject = Decision::parse("reject", None, None).unwrap();
    assert_eq!(
        a.respond_to_approval(&id, reject),
        Err(ApprovalError::AlreadyResolved(id.clone()))
    );
    assert!(a.pending_approvals().unwrap().is_empty());
    drop(stream);
    let finished: Vec<Value> = a.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(finished[0]["data"]["outcome"]["outcome"], "approve");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// A run of `a` paused at its gate, approved through `b`: the same store opened again,
/// as another process would.
struct DecidedElsewhere {
    calls: Arc<AtomicUsize>,
    b: Runtime,
    waiting: flowai::RunStream,
    run_id: String,
    seen: Vec<Value>,
}

async fn decided_elsewhere(open: &Open) -> DecidedElsewhere {
    let calls = Arc::new(AtomicUsize::new(0));
    let a = runtime(open(), calls.clone(), false, true);
    let b = runtime(open(), calls.clone(), false, true);
    let mut waiting = a.query(&script(), "t1");
    let run_id = waiting.run_id().unwrap().to_string();
    let seen = until(&mut waiting, "approval-required").await;
    let id = gate_id(&seen);
    b.respond_to_approval(&id, approve()).unwrap();
    DecidedElsewhere {
        calls,
        b,
        waiting,
        run_id,
        seen,
    }
}

#[tokio::test]
async fn a_decision_recorded_by_another_runtime_wakes_the_waiting_run() {
    // The memory store is one process's: only the durable ones are shared.
    for (name, open) in backends("wake").into_iter().skip(1) {
        let DecidedElsewhere {
            calls,
            b,
            waiting,
            run_id,
            mut seen,
        } = decided_elsewhere(&open).await;
        // No resume: the run waiting in `a` notices the decision and goes on.
        let rest = tokio::time::timeout(Duration::from_secs(10), waiting.collect::<Vec<_>>())
            .await
            .unwrap_or_else(|_| panic!("{name}: the waiting run was not woken"));
        seen.extend(rest.iter().map(StreamPart::to_value));
        let decision = seen
            .iter()
            .find(|e| e["type"] == "approval-decision")
            .unwrap();
        assert_eq!(decision["data"]["outcome"]["outcome"], "approve", "{name}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(journal(&b, &run_id), seen, "{name}");
        assert_eq!(
            b.run_info(&run_id).unwrap().unwrap().status,
            RunStatus::Completed,
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_woken_run_resumed_elsewhere_too_runs_its_tool_once() {
    for (name, open) in backends("woken-twice").into_iter().skip(1) {
        let DecidedElsewhere {
            calls,
            b,
            waiting,
            run_id,
            seen,
        } = decided_elsewhere(&open).await;
        let resumed: Vec<Value> = b.resume(&run_id).map(|p| p.to_value()).collect().await;
        let woken: Vec<Value> = waiting.map(|p| p.to_value()).collect().await;
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{name}");
        // The resume went first; the woken run lost every race and stopped.
        assert_eq!(
            resumed.last().unwrap()["type"],
            "tool-agent",
            "{name}: {resumed:?}"
        );
        let stopped = woken.last().unwrap();
        assert_eq!(stopped["type"], "error", "{name}: {woken:?}");
        assert!(
            stopped["error"]["message"]
                .as_str()
                .is_some_and(|t| t.starts_with(&format!("run {run_id} stopped: "))),
            "{name}: {stopped}"
        );
        let mut all = seen.clone();
        all.extend(resumed);
        assert_eq!(journal(&b, &run_id), all, "{name}");
    }
}
