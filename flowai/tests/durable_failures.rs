//! A store that goes away in the middle of a run (issue 6 §7): the run stops with an error
//! naming the store and saying it can be resumed, nothing it had recorded is lost, and once
//! the store is back the run resumes and its tool runs exactly once.

mod common;

use common::*;
use flowai::approval::Decision;
use flowai::spec::ApprovalRule;
use flowai::store::postgres::PostgresStore;
use flowai::store::Store;
use flowai::{AgentSpec, InterpreterKind, Runtime, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn runtime(store: Arc<dyn Store>, calls: Arc<AtomicUsize>) -> Runtime {
    let def = ToolDef {
        approval: ApprovalRule::Always,
        ..ToolDef::new("charge", json!({"type": "object"}))
    };
    builder()
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .tool("w", def, move |args, _ctx| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok(json!({"charged": args["cents"]})) }
        })
        .interpreter(InterpreterKind::Scripted)
        .store(store)
        .build()
        .unwrap()
}

async fn sql(url: &str, statement: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    client.batch_execute(statement).await.unwrap();
    drop(client);
    let _ = driver.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_table_that_disappears_mid_run_stops_it_resumably() {
    let Ok(url) = std::env::var("FLOWAI_TEST_PG_URL") else {
        assert_ne!(std::env::var("FLOWAI_REQUIRE_PG").as_deref(), Ok("1"));
        eprintln!("skipped: FLOWAI_TEST_PG_URL is not set");
        return;
    };
    let table = format!("gone_{}", std::process::id());
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url, Some(&table)).unwrap());
    let calls = Arc::new(AtomicUsize::new(0));
    let rt = runtime(store.clone(), calls.clone());
    let mut stream = rt.run_specialist("w", r#"{"tool":"charge","args":{"cents":5}}"#, Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    let mut seen: Vec<Value> = Vec::new();
    while let Some(part) = stream.next().await {
        let v = part.to_value();
        seen.push(v.clone());
        if v["type"] == "approval-required" {
            // The decision is recorded, then the database's tables go away before the run
            // (driven by this consumer) goes on to start the tool.
            let id = v["data"]["id"].as_str().unwrap();
            rt.respond_to_approval(id, Decision::parse("approve", None, None).unwrap())
                .unwrap();
            sql(
                &url,
                &format!(
                    "ALTER TABLE \"{table}_journal\" RENAME TO \"{table}_away\";
                     ALTER TABLE \"{table}\" RENAME TO \"{table}_kv_away\""
                ),
            )
            .await;
        }
    }
    let last = seen.last().unwrap();
    let message = last["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "run {run_id} stopped: postgres store 'postgres://"
        )),
        "{message}"
    );
    assert!(
        message.contains("can be resumed once it is back"),
        "{message}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the tool did not run");

    sql(
        &url,
        &format!(
            "ALTER TABLE \"{table}_away\" RENAME TO \"{table}_journal\";
             ALTER TABLE \"{table}_kv_away\" RENAME TO \"{table}\""
        ),
    )
    .await;
    let rest: Vec<Value> = rt.resume(&run_id).map(|p| p.to_value()).collect().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(rest.iter().any(|e| e["result"] == json!({"charged": 5})));
    assert_eq!(rest.last().unwrap()["type"], "tool-agent");
    journal(&rt, &run_id);
    sql(
        &url,
        &format!("DROP TABLE \"{table}\", \"{table}_journal\", \"{table}_meta\""),
    )
    .await;
}

/// When the journal cannot take the events a consumer is about to see, the consumer gets
/// `run <id> stopped: ...` instead and the stream ends: it never sees an event the journal
/// lacks. Here only the journal fails: the tool's durable start (a key-value write) goes
/// through and the tool runs, but its outcome cannot be recorded, so the resumed run asks
/// about it as in doubt instead of running it again.
#[tokio::test]
async fn a_consumer_never_sees_an_event_the_journal_lacks() {
    let dir = std::env::temp_dir().join(format!("flowai-journal-gone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let store: Arc<dyn Store> = Arc::new(flowai::store::sqlite::SqliteStore::open(&path).unwrap());
    let calls = Arc::new(AtomicUsize::new(0));
    let rt = runtime(store.clone(), calls.clone());
    let mut stream = rt.run_specialist("w", r#"{"tool":"charge","args":{"cents":5}}"#, Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    let admin = rusqlite::Connection::open(&path).unwrap();
    let mut seen: Vec<Value> = Vec::new();
    while let Some(part) = stream.next().await {
        let v = part.to_value();
        seen.push(v.clone());
        if v["type"] == "approval-required" {
            let id = v["data"]["id"].as_str().unwrap();
            rt.respond_to_approval(id, Decision::parse("approve", None, None).unwrap())
                .unwrap();
            admin
                .execute_batch("ALTER TABLE flowai_journal RENAME TO journal_away")
                .unwrap();
        }
    }
    let (last, delivered) = seen.split_last().unwrap();
    let message = last["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("run {run_id} stopped: sqlite store '")),
        "{message}"
    );
    assert_eq!(delivered.last().unwrap()["type"], "approval-required");
    admin
        .execute_batch("ALTER TABLE journal_away RENAME TO flowai_journal")
        .unwrap();
    assert_eq!(
        journal(&rt, &run_id),
        delivered,
        "every event the consumer saw is journaled"
    );

    let ran = calls.load(Ordering::SeqCst);
    let mut resumed = rt.resume(&run_id);
    let mut rest: Vec<Value> = Vec::new();
    while let Some(part) = resumed.next().await {
        let v = part.to_value();
        rest.push(v.clone());
        if v["type"] == "approval-required" {
            assert!(rest.iter().any(|e| e["type"] == "data-tool-in-doubt"));
            let id = v["data"]["id"].as_str().unwrap();
            rt.respond_to_approval(id, Decision::parse("reject", None, None).unwrap())
                .unwrap();
        }
    }
    assert_eq!(ran, 1, "the tool's start was durable, so it ran");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "and it did not run again");
    assert!(rest.iter().any(|e| e["result"]["error"] == "in_doubt"));
    journal(&rt, &run_id);
    std::fs::remove_dir_all(&dir).ok();
}
