//! Bad conditions of the SQLite backend: damaged, foreign or newer files.

use super::*;
use crate::store::SCHEMA_VERSION;
use serde_json::json;

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "flowai-sqlite-unit-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_file_that_is_not_sqlite_is_corrupt_and_named() {
    let path = temp_path("garbage.db");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&path, garbage).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_newer_schema_is_refused_with_upgrade_advice() {
    let path = temp_path("newer.db");
    let store = SqliteStore::open(&path).unwrap();
    store.commit("t", vec![Op::put("k", json!(1))]).unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE flowai_meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    assert_eq!(
        err,
        StoreError::NewerSchema {
            store: format!("sqlite store '{}'", path.display()),
            found: 99,
            supported: SCHEMA_VERSION,
        }
    );
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()) && text.contains("Upgrade flowai"));
}

#[test]
fn open_records_the_schema_version_and_reopening_is_harmless() {
    let path = temp_path("version.db");
    drop(SqliteStore::open(&path).unwrap());
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let version: String = conn
        .query_row(
            "SELECT value FROM flowai_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION.to_string());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_missing_directory_names_the_path() {
    let path = temp_path("x.db")
        .with_file_name("missing-dir")
        .join("kv.db");
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn a_damaged_value_is_reported_not_panicked_on() {
    let path = temp_path("damaged.db");
    let store = SqliteStore::open(&path).unwrap();
    store.commit("t", vec![Op::put("k", json!(1))]).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE flowai_kv SET value = '{not json'", [])
        .unwrap();
    let err = store.get("t", "k").unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(store.scan("t", "").is_err());
}

#[test]
fn a_version_1_journal_is_carried_over_and_continues() {
    let path = temp_path("v1.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE flowai_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO flowai_meta VALUES ('schema_version', '1');
         CREATE TABLE flowai_kv (tenant TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
           version INTEGER NOT NULL, expires_at INTEGER NULL, PRIMARY KEY (tenant, key));
         CREATE TABLE flowai_events (tenant TEXT NOT NULL, run_id TEXT NOT NULL,
           seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (tenant, run_id, seq));
         INSERT INTO flowai_events VALUES ('t', 'r', 1, '{\"type\":\"start\"}');
         INSERT INTO flowai_events VALUES ('t', 'r', 2, '{\"type\":\"step-start\"}');",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let types = |after| -> Vec<(u64, Value)> {
        store
            .events("t", "r", after)
            .unwrap()
            .into_iter()
            .map(|(seq, e)| (seq, e["type"].clone()))
            .collect()
    };
    assert_eq!(
        types(0),
        vec![(1, json!("start")), (2, json!("step-start"))]
    );
    let finish = Op::Event {
        run: "r".into(),
        seq: 3,
        event: Arc::new(crate::event::StreamPart::error("x")),
    };
    store.commit("t", vec![finish.clone()]).unwrap();
    assert_eq!(
        types(1),
        vec![(2, json!("step-start")), (3, json!("error"))]
    );
    assert!(matches!(
        store.commit("t", vec![finish]),
        Err(StoreError::Conflict { .. })
    ));
    let conn = Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'flowai_events'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0, "the version 1 journal table is dropped");
}

/// Cached statements must stay prepared across run ids: with STAT4 and no query-planner
/// stability, SQLite re-prepared the journal's last-row lookup for every new run.
#[test]
fn commits_do_not_re_prepare_cached_statements() {
    let path = temp_path("prepare.db");
    let store = SqliteStore::open(&path).unwrap();
    let ev = |run: &str, seq| Op::Event {
        run: run.into(),
        seq,
        event: Arc::new(crate::event::StreamPart::error("x")),
    };
    for i in 0..20 {
        let run = format!("run{i}");
        store.commit("t", vec![ev(&run, 1), ev(&run, 2)]).unwrap();
        let step = Op::put(format!("step:{run}"), json!(i));
        store.commit("t", vec![ev(&run, 3), step]).unwrap();
    }
    let conn = store.lock();
    let lookup = conn.prepare_cached(LAST_ROW).unwrap();
    assert_eq!(lookup.get_status(rusqlite::StatementStatus::RePrepare), 0);
}
