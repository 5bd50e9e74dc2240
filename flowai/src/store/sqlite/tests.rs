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
