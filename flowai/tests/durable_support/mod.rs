//! Helpers shared by the durable-state integration tests (`durable.rs`,
//! `durable_decisions.rs`): a runtime with a gated `charge` tool, its script, and "the same
//! storage opened again" on every backend.
#![allow(dead_code)]

use crate::common::*;
use flowai::approval::Decision;
use flowai::spec::ApprovalRule;
use flowai::store::postgres::PostgresStore;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Store};
use flowai::{AgentSpec, InterpreterKind, Runtime, ToolDef};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A coordinator routing to a specialist whose `charge` tool needs approval; `hang` makes
/// the tool never return (a process that dies mid-call).
pub fn runtime(store: Arc<dyn Store>, calls: Arc<AtomicUsize>, hang: bool, gated: bool) -> Runtime {
    runtime_hanging_on(store, calls, hang.then_some(None), gated)
}

/// As [`runtime`]; `hang` is `Some(None)` to hang every call, `Some(Some(c))` to hang the
/// call charging `c` cents.
pub fn runtime_hanging_on(
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

pub fn script() -> String {
    let inner = json!({"tool": "charge", "args": {"cents": 500}}).to_string();
    json!({"tool": "call_agent", "args": {"agent": "w", "prompt": inner}}).to_string()
}

pub fn approve() -> Decision {
    Decision::parse("approve", None, None).unwrap()
}

/// Opens "the same storage" again, as a restarted process would: the shared memory store,
/// a new handle on one SQLite file, or a new connection to one Postgres database.
pub type Open = Box<dyn Fn() -> Arc<dyn Store>>;

pub fn backends(name: &str) -> Vec<(&'static str, Open)> {
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

pub fn uuid_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}

/// The id of the approval that `seen`'s last event (an `approval-required`) asks for.
pub fn gate_id(seen: &[Value]) -> String {
    let required = seen.last().expect("an approval-required event");
    assert_eq!(required["type"], "approval-required", "{required}");
    required["data"]["id"]
        .as_str()
        .expect("an approval id")
        .to_string()
}
