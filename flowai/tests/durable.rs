//! Durable runs on a shared store: a run paused at an approval survives its runtime (a
//! second runtime on the same store lists the approval, records the decision and resumes
//! the run), the journal has every event once and in order, a tool call interrupted
//! mid-flight surfaces as in doubt instead of running twice, and decisions are recorded
//! exactly once across runtimes. The same tests run on SQLite in `durable_sqlite.rs`.

mod common;

use common::*;
use flowai::approval::{ApprovalError, Decision};
use flowai::spec::ApprovalRule;
use flowai::store::postgres::PostgresStore;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Store};
use flowai::trace::{RunFilter, RunStatus};
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A coordinator routing to a specialist whose `charge` tool needs approval; `hang` makes
/// the tool never return (a process that dies mid-call).
fn runtime(store: Arc<dyn Store>, calls: Arc<AtomicUsize>, hang: bool, gated: bool) -> Runtime {
    runtime_hanging_on(store, calls, hang.then_some(None), gated)
}

/// As [`runtime`]; `hang` is `Some(None)` to hang every call, `Some(Some(c))` to hang the
/// call charging `c` cents.
fn runtime_hanging_on(
    store: Arc<dyn Store>,
    calls: Arc<AtomicUsize>,
    hang: Option<Option<u64>>,
    gated: bool,
) -> Runtime {
    let def = ToolDef {
        approval: if gated {
            ApprovalRule::Always
        } else {
            ApprovalRule::Never
        },
        ..ToolDef::new("charge", json!({"type": "object"}))
    };
    builder()
        .agent(AgentSpec::coordinator("c", MODEL, "", &["w"]))
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .tool("w", def, move |args, _ctx| {
            let calls = calls.clone();
            let hangs = hang.is_some_and(|c| c.is_none_or(|c| args["cents"] == c));
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                if hangs {
                    futures::future::pending::<()>().await;
                }
                Ok(json!({"charged": args["cents"]}))
            }
        })
        .interpreter(InterpreterKind::Scripted)
        .store(store)
        .build()
        .unwrap()
}

fn script() -> String {
    let inner = json!({"tool": "charge", "args": {"cents": 500}}).to_string();
    json!({"tool": "call_agent", "args": {"agent": "w", "prompt": inner}}).to_string()
}

fn approve() -> Decision {
    Decision::parse("approve", None, None).unwrap()
}

/// Opens "the same storage" again, as a restarted process would: the shared memory store,
/// a new handle on one SQLite file, or a new connection to one Postgres database.
type Open = Box<dyn Fn() -> Arc<dyn Store>>;

fn backends(name: &str) -> Vec<(&'static str, Open)> {
    let memory: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let path = std::env::temp_dir().join(format!(
        "flowai-durable-{name}-{}-{}.db",
        std::process::id(),
        uuid_suffix()
    ));
    let mut all: Vec<(&'static str, Open)> = vec![
        ("memory", Box::new(move || memory.clone())),
        (
            "sqlite",
            Box::new(move || Arc::new(SqliteStore::open(&path).unwrap()) as Arc<dyn Store>),
        ),
    ];
    match std::env::var("FLOWAI_TEST_PG_URL") {
        Ok(url) => {
            let table = format!("durable_{}", uuid_suffix());
            all.push((
                "postgres",
                Box::new(move || {
                    Arc::new(PostgresStore::connect(&url, Some(&table)).unwrap()) as Arc<dyn Store>
                }),
            ));
        }
        Err(_) => assert_ne!(
            std::env::var("FLOWAI_REQUIRE_PG").as_deref(),
            Ok("1"),
            "FLOWAI_TEST_PG_URL is not set but FLOWAI_REQUIRE_PG=1"
        ),
    }
    all
}

fn uuid_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}

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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
    let id = seen.last().unwrap()["data"]["id"].as_str().unwrap();
    b.respond_to_approval(id, approve()).unwrap();
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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
    let id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
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
