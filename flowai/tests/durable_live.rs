//! Durable runs on the live interpreters: a run whose model (a loopback fake Anthropic or
//! OpenAI-compatible server) asks for a gated tool pauses; its runtime goes away; a second
//! runtime on the same store (a shared memory store, one SQLite file) approves and resumes
//! it. The resumed run replays the recorded model answers instead of asking the model
//! again, reads the thread's history as it was, runs the tool once, and its journal holds
//! every event once, in one sequence. A model call that failed replays as the same failure.

mod common;

use common::{journal, until};

#[path = "provider_support.rs"]
mod support;

use flowai::approval::Decision;
use flowai::provider::{Anthropic, OpenAiCompatible, Provider, ProviderHandle};
use flowai::spec::ApprovalRule;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Store};
use flowai::trace::RunStatus;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{anthropic_turn, openai_turn, FakeServer, Reply, SECRET};

/// One model step on the wire: optional text and an optional tool call `(id, name, args)`.
type TurnFn = fn(Option<&str>, Option<(&str, &str, Value)>) -> Reply;

/// A wire format: how the fake server answers and how the runtime talks to it.
struct Format {
    name: &'static str,
    turn: TurnFn,
    provider: fn(&str) -> Arc<dyn Provider>,
}

fn anthropic(url: &str) -> Arc<dyn Provider> {
    let config = json!({"apiKey": SECRET, "baseUrl": url});
    Arc::new(Anthropic::from_config(&config).unwrap())
}

fn openai(url: &str) -> Arc<dyn Provider> {
    let config = json!({"baseUrl": format!("{url}/v1")});
    Arc::new(OpenAiCompatible::from_config(&config).unwrap())
}

const ANTHROPIC: Format = Format {
    name: "anthropic",
    turn: anthropic_turn,
    provider: anthropic,
};

const OPENAI: Format = Format {
    name: "openai",
    turn: openai_turn,
    provider: openai,
};

/// Opens "the same storage" again, as a restarted process would.
type Open = Box<dyn Fn() -> Arc<dyn Store>>;

/// A shared memory store and a SQLite file in `dir`.
fn backends(dir: &std::path::Path) -> Vec<(&'static str, Open)> {
    let memory: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let path = dir.join("runs.db");
    vec![
        ("memory", Box::new(move || memory.clone())),
        (
            "sqlite",
            Box::new(move || Arc::new(SqliteStore::open(&path).unwrap()) as Arc<dyn Store>),
        ),
    ]
}

/// A fresh directory for one test's SQLite file.
fn temp_dir(test: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!(
        "flowai-durable-live-{test}-{}-{nanos:x}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A stateful coordinator `c` with a gated `charge` tool (counted in `calls`), routing to
/// a specialist `w`, every agent on `provider`.
fn runtime(store: Arc<dyn Store>, provider: Arc<dyn Provider>, calls: Arc<AtomicUsize>) -> Runtime {
    let model = "claude-sonnet-4-6";
    let charge = ToolDef {
        approval: ApprovalRule::Always,
        ..ToolDef::new("charge", json!({"type": "object"}))
    };
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator("c", model, "You charge.", &["w"]))
        .agent(AgentSpec::specialist("w", model, "You look things up."))
        .tool("c", charge, move |args, _ctx| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(json!({"charged": args["cents"]}))
            }
        })
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(provider)))
        .store(store)
        .build()
        .unwrap()
}

/// How many events of `journal` have type `kind` and, for `text`, the text `text`.
fn count(journal: &[Value], kind: &str, text: Option<&str>) -> usize {
    journal
        .iter()
        .filter(|e| e["type"] == kind && text.is_none_or(|t| e["text"] == t))
        .count()
}

fn approve() -> Decision {
    Decision::parse("approve", None, None).unwrap()
}

#[tokio::test]
async fn a_paused_anthropic_run_resumes_without_asking_the_model_again() {
    let dir = temp_dir("anthropic");
    for (backend, open) in backends(&dir) {
        paused_then_resumed(&ANTHROPIC, backend, &open).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_paused_openai_run_resumes_without_asking_the_model_again() {
    let dir = temp_dir("openai");
    for (backend, open) in backends(&dir) {
        paused_then_resumed(&OPENAI, backend, &open).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn paused_then_resumed(format: &Format, backend: &str, open: &Open) {
    let at = format!("{} on {backend}", format.name);
    let turn = format.turn;
    let server = FakeServer::start(vec![
        // The paused run's first step: text, then the gated call.
        turn(
            Some("Charging now."),
            Some(("call_1", "charge", json!({"cents": 500}))),
        ),
        // Another run on the same thread while the first one waits.
        turn(Some("Hello from another run."), None),
        // The paused run's step after the tool result.
        turn(Some("Charged 500 cents."), None),
    ])
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let first = runtime(open(), (format.provider)(&server.url), calls.clone());
    let mut stream = first.query("Charge 500 cents.", "t1");
    let run_id = stream.run_id().unwrap().to_string();
    let before = until(&mut stream, "approval-required").await;
    let required = before.last().unwrap()["data"].clone();
    assert_eq!(server.received().len(), 1, "{at}");
    // The process "stops" with the run paused.
    drop(stream);
    drop(first);

    let second = runtime(open(), (format.provider)(&server.url), calls.clone());
    // The coordinator is stateful: this run appends a turn to its memory on thread t1.
    let other: Vec<Value> = second
        .query("Say hello.", "t1")
        .map(|p| p.to_value())
        .collect()
        .await;
    assert_eq!(count(&other, "error", None), 0, "{at}: {other:?}");
    assert_eq!(server.received().len(), 2, "{at}");
    let pending = second.pending_approvals().unwrap();
    assert_eq!(pending.len(), 1, "{at}");
    assert_eq!(pending[0].id, required["id"].as_str().unwrap(), "{at}");
    second
        .respond_to_approval(&pending[0].id, approve())
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "{at}: nothing runs before resume"
    );

    let after: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(after[0]["type"], "approval-decision", "{at}: {after:?}");
    assert_eq!(count(&after, "error", None), 0, "{at}: {after:?}");

    // (a) The resume asked the model once: the step after the tool result.
    let sent = server.received();
    assert_eq!(sent.len(), 3, "{at}: the resume called the model again");
    assert_eq!(server.unused(), 0, "{at}");
    // It went on from the conversation the paused run had: the same history (not the
    // other run's turn), the recorded reply and the tool's result.
    let first_messages = sent[0].body["messages"].as_array().unwrap();
    let resumed_messages = sent[2].body["messages"].as_array().unwrap();
    assert_eq!(
        resumed_messages.len(),
        first_messages.len() + 2,
        "{at}: {resumed_messages:?}"
    );
    assert_eq!(
        &resumed_messages[..first_messages.len()],
        first_messages.as_slice(),
        "{at}"
    );
    let resumed = sent[2].body.to_string();
    assert!(
        !resumed.contains("Say hello.") && !resumed.contains("Hello from another run."),
        "{at}: the resumed turn read the thread's history again: {resumed}"
    );
    for needle in ["Charging now.", "call_1", r#"\"charged\":500"#] {
        assert!(
            resumed.contains(needle),
            "{at}: {needle} missing: {resumed}"
        );
    }

    // (c) The tool ran once.
    assert_eq!(calls.load(Ordering::SeqCst), 1, "{at}");

    // (b) The journal is what the two consumers saw, numbered 1..=N, each text once.
    let journal = journal(&second, &run_id);
    let mut seen = before;
    seen.extend(after.iter().cloned());
    assert_eq!(journal, seen, "{at}");
    assert_eq!(count(&journal, "text", Some("Charging now.")), 1, "{at}");
    assert_eq!(
        count(&journal, "text", Some("Charged 500 cents.")),
        1,
        "{at}"
    );
    assert_eq!(count(&journal, "text", None), 2, "{at}: {journal:?}");
    assert_eq!(count(&journal, "step-start", None), 2, "{at}");
    assert_eq!(count(&journal, "approval-required", None), 1, "{at}");
    // The turn's summaries count the model call made before the pause.
    let latency = journal
        .iter()
        .find(|e| e["type"] == "data-latency-summary")
        .unwrap();
    assert_eq!(latency["data"]["phases"]["llmCalls"], 2, "{at}: {latency}");
    let cost = journal
        .iter()
        .find(|e| e["type"] == "data-cost-summary")
        .unwrap();
    let usage = &cost["data"]["agents"][0]["usage"];
    assert_eq!(usage["promptTokens"], 20, "{at}: {cost}");
    assert_eq!(journal.last().unwrap()["type"], "tool-agent", "{at}");
    let info = second.run_info(&run_id).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Completed, "{at}");
}

#[tokio::test]
async fn a_failed_model_call_replays_as_the_same_failure() {
    let dir = temp_dir("failure");
    for (backend, open) in backends(&dir) {
        failed_call_replayed(backend, &open).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The coordinator asks `w`, whose model call fails (a 400, not retried); the coordinator
/// goes on to the gated tool and pauses. The resume must not ask `w`'s model again (it
/// would answer this time and the run would take another path than its journal).
async fn failed_call_replayed(backend: &str, open: &Open) {
    let ask = json!({"agent": "w", "prompt": "Look it up."});
    let rejected =
        r#"{"type":"error","error":{"type":"invalid_request_error","message":"bad request"}}"#;
    let server = FakeServer::start(vec![
        anthropic_turn(Some("Asking w."), Some(("call_1", "call_agent", ask))),
        Reply::Status(400, vec![], rejected.into()),
        anthropic_turn(None, Some(("call_2", "charge", json!({"cents": 300})))),
        anthropic_turn(Some("Charged anyway."), None),
        // What a resume that asked `w` again would get.
        anthropic_turn(Some("Found it."), None),
    ])
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let first = runtime(open(), anthropic(&server.url), calls.clone());
    let mut stream = first.query("Look it up, then charge.", "t2");
    let run_id = stream.run_id().unwrap().to_string();
    let before = until(&mut stream, "approval-required").await;
    assert_eq!(server.received().len(), 3, "{backend}");
    assert_eq!(count(&before, "error", None), 1, "{backend}: {before:?}");
    drop(stream);
    drop(first);

    let second = runtime(open(), anthropic(&server.url), calls.clone());
    let pending = second.pending_approvals().unwrap();
    assert_eq!(pending.len(), 1, "{backend}");
    second
        .respond_to_approval(&pending[0].id, approve())
        .unwrap();
    let after: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(
        server.received().len(),
        4,
        "{backend}: the resume asked again"
    );
    assert_eq!(server.unused(), 1, "{backend}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "{backend}");
    assert_eq!(count(&after, "error", None), 0, "{backend}: {after:?}");

    let journal = journal(&second, &run_id);
    let mut seen = before;
    seen.extend(after);
    assert_eq!(journal, seen, "{backend}");
    assert_eq!(count(&journal, "text", Some("Found it.")), 0, "{backend}");
    assert_eq!(
        count(&journal, "text", Some("Charged anyway.")),
        1,
        "{backend}"
    );
    let failed = journal
        .iter()
        .find(|e| {
            e["type"] == "tool-invocation"
                && e["state"] == "result"
                && e["toolName"] == "call_agent"
        })
        .unwrap();
    assert!(
        failed["result"].to_string().contains("Sub-agent failed"),
        "{backend}: {failed}"
    );
    let info = second.run_info(&run_id).unwrap().unwrap();
    assert_eq!(info.status, RunStatus::Completed, "{backend}");
}
