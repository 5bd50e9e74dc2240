//! `Runtime::follow`: reattaching to a run's journal from another consumer. A follower of a
//! live run gets exactly what the driving consumer gets, numbered contiguously, and ends
//! when the run does; `after` skips what was seen; an unknown run is a typed error; a paused
//! run is followed through its approval (as Python's `follow_run`) until it finishes.

mod common;

use common::*;
use flowai::approval::Decision;
use flowai::runtime::{Follow, FollowError};
use flowai::spec::ApprovalRule;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Store};
use flowai::trace::RunStatus;
use flowai::{AgentSpec, InterpreterKind, RunStream, Runtime, StreamPart, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::time::timeout;

/// Long enough for anything that must happen, on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);
/// How long a follower that must keep waiting is watched.
const QUIET: Duration = Duration::from_millis(300);
const FAST: Duration = Duration::from_millis(5);

/// A specialist `w` whose `wait` tool returns only once `release` is notified; `gated`
/// puts the tool behind an approval.
fn runtime(tenant: &str, store: Arc<dyn Store>, release: Arc<Notify>, gated: bool) -> Runtime {
    let def = ToolDef {
        approval: if gated {
            ApprovalRule::Always
        } else {
            ApprovalRule::Never
        },
        ..ToolDef::new("wait", json!({"type": "object"}))
    };
    Runtime::builder(TenantIdentity::new(tenant, "v1"))
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .tool("w", def, move |_args, _ctx| {
            let release = release.clone();
            async move {
                release.notified().await;
                Ok(json!({"waited": true}))
            }
        })
        .interpreter(InterpreterKind::Scripted)
        .store(store)
        .build()
        .unwrap()
}

fn script() -> String {
    json!({"tool": "wait", "args": {}}).to_string()
}

/// Starts a run and reads its first event, after which the run is in the store.
async fn start(rt: &Runtime) -> (RunStream, String, StreamPart) {
    let mut stream = rt.run_specialist("w", &script(), Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    let first = stream.next().await.expect("a first event");
    (stream, run_id, first)
}

/// Drives `follow` on its own task, forwarding every item; the channel closes when the
/// stream ends.
fn spawn_follower(follow: Follow) -> mpsc::UnboundedReceiver<Result<(u64, Value), FollowError>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut follow = follow;
        while let Some(item) = follow.next().await {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next item of a follower, or `None` once it ended; panics if neither comes in time.
async fn next_item(
    rx: &mut mpsc::UnboundedReceiver<Result<(u64, Value), FollowError>>,
) -> Option<(u64, Value)> {
    let item = timeout(PATIENCE, rx.recv())
        .await
        .expect("the follower stalled");
    item.map(|r| r.expect("a journaled event"))
}

/// Reads a follower until an event of type `kind` (inclusive).
async fn follow_until(
    rx: &mut mpsc::UnboundedReceiver<Result<(u64, Value), FollowError>>,
    kind: &str,
) -> Vec<(u64, Value)> {
    let mut got = Vec::new();
    loop {
        let item = next_item(rx).await;
        let (seq, event) =
            item.unwrap_or_else(|| panic!("the follower ended before {kind}: {got:?}"));
        let done = event["type"] == kind;
        got.push((seq, event));
        if done {
            return got;
        }
    }
}

/// Reads a follower to its end.
async fn follow_to_end(
    rx: &mut mpsc::UnboundedReceiver<Result<(u64, Value), FollowError>>,
) -> Vec<(u64, Value)> {
    let mut got = Vec::new();
    while let Some(item) = next_item(rx).await {
        got.push(item);
    }
    got
}

/// `(seq, event)` of what a consumer saw, numbered from `first`.
fn numbered(seen: &[Value], first: u64) -> Vec<(u64, Value)> {
    (first..).zip(seen.iter().cloned()).collect()
}

fn status(rt: &Runtime, run_id: &str) -> RunStatus {
    rt.run_info(run_id).unwrap().unwrap().status
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    std::env::temp_dir().join(format!(
        "flowai-follow-{name}-{}-{nanos:x}.db",
        std::process::id()
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_of_a_running_run_gets_exactly_what_its_consumer_gets() {
    // In process: the follower reads the driving runtime's own store.
    let release = Arc::new(Notify::new());
    let rt = runtime(
        "acme",
        Arc::new(MemoryStore::default()),
        release.clone(),
        false,
    );
    follow_live("memory", &rt, &rt, &release).await;
    // Across handles, as another process would: a second runtime on the same SQLite file.
    let path = temp_db("live");
    let release = Arc::new(Notify::new());
    let driver = runtime(
        "acme",
        Arc::new(SqliteStore::open(&path).unwrap()),
        release.clone(),
        false,
    );
    let other = runtime(
        "acme",
        Arc::new(SqliteStore::open(&path).unwrap()),
        Arc::new(Notify::new()),
        false,
    );
    follow_live("sqlite", &driver, &other, &release).await;
    drop((driver, other));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn follow_live(name: &str, driver: &Runtime, follower: &Runtime, release: &Notify) {
    let (mut stream, run_id, first) = start(driver).await;
    let consumer = tokio::spawn(async move {
        let mut seen = vec![first.to_value()];
        while let Some(part) = stream.next().await {
            seen.push(part.to_value());
        }
        seen
    });
    let mut from_start = spawn_follower(follower.follow(&run_id, 0).poll_interval(FAST));
    let mut from_two = spawn_follower(follower.follow(&run_id, 2).poll_interval(FAST));

    // The follower sees the tool call while the tool is still waiting: the run is live.
    let mut followed = follow_until(&mut from_start, "tool-invocation").await;
    assert_eq!(followed.last().unwrap().1["state"], "call", "{name}");
    assert_eq!(status(follower, &run_id), RunStatus::Running, "{name}");
    assert!(
        !consumer.is_finished(),
        "{name}: the run finished before its tool returned"
    );

    release.notify_one();
    followed.extend(follow_to_end(&mut from_start).await);
    let seen = timeout(PATIENCE, consumer).await.unwrap().unwrap();
    assert_eq!(followed, numbered(&seen, 1), "{name}");
    assert_eq!(seen.last().unwrap()["type"], "tool-agent", "{name}");
    assert!(
        seen.iter().any(|e| e["result"] == json!({"waited": true})),
        "{name}: {seen:?}"
    );
    assert_eq!(
        follow_to_end(&mut from_two).await,
        numbered(&seen[2..], 3),
        "{name}"
    );
    // The follower ended because the run finished, not before.
    assert_eq!(status(follower, &run_id), RunStatus::Completed, "{name}");
}

#[tokio::test]
async fn following_a_finished_run_after_k_yields_only_later_events_and_ends() {
    let release = Arc::new(Notify::new());
    release.notify_one();
    let rt = runtime("acme", Arc::new(MemoryStore::default()), release, false);
    let (stream, run_id, first) = start(&rt).await;
    let mut seen = vec![first.to_value()];
    seen.extend(stream.map(|p| p.to_value()).collect::<Vec<_>>().await);
    assert_eq!(status(&rt, &run_id), RunStatus::Completed);
    let n = seen.len() as u64;
    assert!(n >= 5, "{seen:?}");

    for k in [0, 1, 3, n - 1, n, n + 10] {
        // A finished run is read once: no wait for a next read, however long the interval.
        let follow = rt
            .follow(&run_id, k)
            .poll_interval(Duration::from_secs(3600));
        let items: Vec<_> = timeout(PATIENCE, follow.collect::<Vec<_>>()).await.unwrap();
        let items: Vec<(u64, Value)> = items.into_iter().map(Result::unwrap).collect();
        let expected = if k >= n {
            Vec::new()
        } else {
            numbered(&seen[k as usize..], k + 1)
        };
        assert_eq!(items, expected, "after {k}");
        assert!(items.iter().all(|(seq, _)| *seq > k), "after {k}");
    }

    let mut follow = rt.follow(&run_id, 3);
    assert_eq!(follow.last_seq(), 3);
    let (seq, _) = follow.next().await.unwrap().unwrap();
    assert_eq!((seq, follow.last_seq()), (4, 4));
}

#[tokio::test]
async fn an_unknown_run_is_a_typed_error_naming_it() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let release = Arc::new(Notify::new());
    release.notify_one();
    let rt = runtime("acme", store.clone(), release.clone(), false);
    let items: Vec<_> = rt.follow("no-such-run", 0).collect().await;
    assert_eq!(items, [Err(FollowError::NotFound("no-such-run".into()))]);
    assert_eq!(
        items[0].as_ref().unwrap_err().to_string(),
        "run not found: no-such-run"
    );

    // Another tenant's run on the same store is unknown too.
    let (stream, run_id, _) = start(&rt).await;
    stream.count().await;
    let other = runtime("globex", store, release, false);
    let items: Vec<_> = other.follow(&run_id, 0).collect().await;
    assert_eq!(items, [Err(FollowError::NotFound(run_id.clone()))]);
    assert!(rt.follow(&run_id, 0).next().await.unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_run_is_followed_through_its_approval_to_its_end() {
    let release = Arc::new(Notify::new());
    release.notify_one();
    let rt = runtime("acme", Arc::new(MemoryStore::default()), release, true);
    let (mut stream, run_id, first) = start(&rt).await;
    let mut seen = vec![first.to_value()];
    while let Some(part) = stream.next().await {
        let done = part.type_name() == "approval-required";
        seen.push(part.to_value());
        if done {
            break;
        }
    }
    let approval_id = seen.last().unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(status(&rt, &run_id), RunStatus::Paused);

    let mut rx = spawn_follower(rt.follow(&run_id, 0).poll_interval(FAST));
    let mut followed = follow_until(&mut rx, "approval-required").await;
    assert_eq!(followed, numbered(&seen, 1));
    // Paused is not finished: the follower neither ends nor yields while the run waits.
    assert!(
        timeout(QUIET, rx.recv()).await.is_err(),
        "a paused run's follower moved"
    );

    rt.respond_to_approval(
        &approval_id,
        Decision::parse("approve", None, None).unwrap(),
    )
    .unwrap();
    while let Some(part) = stream.next().await {
        seen.push(part.to_value());
    }
    followed.extend(follow_to_end(&mut rx).await);
    assert_eq!(followed, numbered(&seen, 1));
    assert!(seen.iter().any(|e| e["type"] == "approval-decision"));
    assert_eq!(status(&rt, &run_id), RunStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_waits_for_an_abandoned_paused_run_until_another_runtime_resumes_it() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let release = Arc::new(Notify::new());
    release.notify_one();
    let first_rt = runtime("acme", store.clone(), release.clone(), true);
    let (mut stream, run_id, first) = start(&first_rt).await;
    let mut before = vec![first.to_value()];
    while let Some(part) = stream.next().await {
        let done = part.type_name() == "approval-required";
        before.push(part.to_value());
        if done {
            break;
        }
    }
    // The driving consumer goes away with the run paused.
    drop(stream);
    drop(first_rt);

    let second = runtime("acme", store, release, true);
    let mut rx = spawn_follower(second.follow(&run_id, 0).poll_interval(FAST));
    let mut followed = follow_until(&mut rx, "approval-required").await;
    assert!(
        timeout(QUIET, rx.recv()).await.is_err(),
        "the follower of a paused run ended"
    );

    let pending = second.pending_approvals().unwrap();
    second
        .respond_to_approval(
            &pending[0].id,
            Decision::parse("approve", None, None).unwrap(),
        )
        .unwrap();
    let after: Vec<Value> = second.resume(&run_id).map(|p| p.to_value()).collect().await;
    followed.extend(follow_to_end(&mut rx).await);
    let seen = [before, after].concat();
    assert_eq!(followed, numbered(&seen, 1));
    assert_eq!(status(&second, &run_id), RunStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_followed_before_its_stream_is_read_is_waited_for() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let release = Arc::new(Notify::new());
    release.notify_one();
    let rt = runtime("acme", store, release, false);
    let stream = rt.run_specialist("w", &script(), Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    // Nothing has run: the store does not know the run, this runtime does.
    assert!(rt.run_info(&run_id).unwrap().is_none());
    assert!(rt.run_is_starting(&run_id));
    let mut rx = spawn_follower(rt.follow(&run_id, 0).poll_interval(FAST));
    // The follower waits instead of failing.
    assert!(timeout(QUIET, rx.recv()).await.is_err());
    let seen: Vec<Value> = stream.map(|p| p.to_value()).collect().await;
    assert!(!rt.run_is_starting(&run_id));
    assert_eq!(follow_to_end(&mut rx).await, numbered(&seen, 1));

    // A run dropped before anything ran never gets a record: its follower ends, empty.
    let stream = rt.run_specialist("w", &script(), Some("t"));
    let run_id = stream.run_id().unwrap().to_string();
    let mut rx = spawn_follower(rt.follow(&run_id, 0).poll_interval(FAST));
    assert!(timeout(QUIET, rx.recv()).await.is_err());
    drop(stream);
    assert!(!rt.run_is_starting(&run_id));
    assert_eq!(follow_to_end(&mut rx).await, []);
}
