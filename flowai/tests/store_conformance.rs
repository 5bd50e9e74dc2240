//! One conformance suite (`store_conformance/suite.rs`) run against every backend, plus
//! each backend's bad conditions and the descriptor openers.
//!
//! Postgres tests use `FLOWAI_TEST_PG_URL` (start a server with
//! `eval "$(scripts/pg.sh start <dir>)"`); without it they print that they were skipped,
//! or fail when `FLOWAI_REQUIRE_PG=1`.

#[path = "store_conformance/pg.rs"]
mod pg;
#[path = "store_conformance/suite.rs"]
mod suite;

use flowai::store::open::{open_factory, open_kv_descriptor, redact_url};
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Op, Store, StoreError};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// A fresh directory under the temp dir, unique to this process and call.
fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "flowai-store-test-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn memory_conforms() {
    suite::conformance(&MemoryStore::default());
    let shared: Arc<dyn Store> = Arc::new(MemoryStore::default());
    suite::concurrency(&[shared]);
}

#[test]
fn sqlite_conforms() {
    let path = temp_dir().join("kv.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.describe(),
        format!("sqlite store '{}'", path.display())
    );
    assert!(store.is_durable());
    suite::conformance(&store);
    // Several handles on one file, as several runtimes (or processes) would have.
    let handles: Vec<Arc<dyn Store>> = (0..3)
        .map(|_| Arc::new(SqliteStore::open(&path).unwrap()) as Arc<dyn Store>)
        .collect();
    suite::concurrency(&handles);
}

#[test]
fn sqlite_handles_on_one_file_share_state_and_stay_tenant_isolated() {
    let path = temp_dir().join("shared.db");
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open(&path).unwrap();
    a.commit("acme", vec![Op::insert("plan:1", json!("a"))])
        .unwrap();
    assert_eq!(*b.get("acme", "plan:1").unwrap().unwrap().value, json!("a"));
    assert_eq!(
        b.commit("acme", vec![Op::insert("plan:1", json!("b"))]),
        Err(StoreError::Conflict {
            key: "plan:1".into()
        })
    );
    b.commit("globex", vec![Op::insert("plan:1", json!("g"))])
        .unwrap();
    assert_eq!(
        *a.get("globex", "plan:1").unwrap().unwrap().value,
        json!("g")
    );
    assert_eq!(*a.get("acme", "plan:1").unwrap().unwrap().value, json!("a"));
    assert_eq!(a.scan("acme", "").unwrap().len(), 1);
    // State survives closing every handle.
    drop((a, b));
    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.get("acme", "plan:1").unwrap().unwrap().version, 1);
}

#[test]
fn sqlite_bad_files_are_named_errors() {
    let dir = temp_dir();
    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, vec![0xA5u8; 4096]).unwrap();
    let err = SqliteStore::open(&garbage).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&garbage.display().to_string()));

    let missing = dir.join("no-such-dir").join("kv.db");
    let err = SqliteStore::open(&missing).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    // A directory where the file should be.
    let err = SqliteStore::open(&dir).unwrap_err();
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
}

#[test]
fn redaction() {
    assert_eq!(
        redact_url("postgresql://user:secret@/db?password=abc"),
        "postgresql://user:***@/db?password=***"
    );
    assert_eq!(
        redact_url("postgres://only@h/db?token=t&x=1"),
        "postgres://***@h/db?token=***&x=1"
    );
    assert_eq!(
        redact_url("postgres://h:5/db?apikey=a&api_key=b&access_token=c"),
        "postgres://h:5/db?apikey=***&api_key=***&access_token=***"
    );
}

#[test]
fn open_factory_forms_and_errors() {
    let mem = open_factory(&json!({"kind": "memory"}), "kv").unwrap();
    assert_eq!(mem.describe(), "memory store");
    let path = temp_dir().join("factory.db");
    let sqlite = open_factory(&json!({"kind": "sqlite", "config": {"path": path}}), "kv").unwrap();
    assert_eq!(
        sqlite.describe(),
        format!("sqlite store '{}'", path.display())
    );

    let config_err = |spec: serde_json::Value| match open_factory(&spec, "kv") {
        Err(StoreError::Config(text)) => text,
        Err(other) => panic!("not a config error: {other:?}"),
        Ok(s) => panic!("opened {}", s.describe()),
    };
    let text = config_err(json!({"kind": "redis"}));
    assert!(
        text.contains("'redis'") && text.contains("memory, postgres, sqlite"),
        "{text}"
    );
    let text = config_err(json!({"kind": "sqlite", "config": {}}));
    assert!(text.contains("storage_factories.kv.config.path"), "{text}");
    let text = config_err(json!({"kind": "postgres", "config": {}}));
    assert!(text.contains("storage_factories.kv.config.url"), "{text}");
    let var = format!("FLOWAI_TEST_UNSET_{}", std::process::id());
    let text = config_err(json!({"kind": "postgres", "config": {"urlEnv": var}}));
    assert_eq!(
        text,
        format!("environment variable {var} is not set for storage_factories.kv.config.urlEnv")
    );
    let text = config_err(
        json!({"kind": "postgres", "config": {"url": "postgres://h/db", "table": "a-b"}}),
    );
    assert!(text.contains("[a-zA-Z0-9_]"), "{text}");
    let err = open_factory(
        &json!({"kind": "postgres", "config": {"url": "postgres://u:pw@127.0.0.1:1/db"}}),
        "kv",
    )
    .err()
    .unwrap();
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("postgres://u:***@127.0.0.1:1/db") && !text.contains("pw"),
        "{text}"
    );
}

#[test]
fn open_kv_descriptor_forms_and_errors() {
    assert!(!open_kv_descriptor(&json!({"kind": "memory"}))
        .unwrap()
        .is_durable());
    let dir = temp_dir();
    let url = format!("sqlite://{}", dir.join("kv.db").display());
    let store =
        open_kv_descriptor(&json!({"kind": "sqlite", "url": url, "ensureSchema": true})).unwrap();
    assert_eq!(
        store.describe(),
        format!("sqlite store '{}'", dir.join("kv.db").display())
    );
    store.commit("t", vec![Op::put("k", json!(1))]).unwrap();
    // Opening again with ensureSchema on existing tables is fine, and sees the data.
    let again =
        open_kv_descriptor(&json!({"kind": "sqlite", "url": url, "ensureSchema": true})).unwrap();
    assert!(again.get("t", "k").unwrap().is_some());
    // Without the prefix the value is a path.
    let plain = dir.join("plain.db");
    let store = open_kv_descriptor(&json!({"kind": "sqlite", "url": plain})).unwrap();
    assert_eq!(
        store.describe(),
        format!("sqlite store '{}'", plain.display())
    );
    // `sqlite:relative.db` is relative: the open error names exactly that path.
    let err = open_kv_descriptor(&json!({"kind": "sqlite", "url": "sqlite:no-such-dir-x/kv.db"}))
        .err()
        .unwrap();
    assert!(err.to_string().contains("'no-such-dir-x/kv.db'"), "{err}");

    let config_err = |desc: serde_json::Value| match open_kv_descriptor(&desc) {
        Err(StoreError::Config(text)) => text,
        Err(other) => panic!("not a config error: {other:?}"),
        Ok(s) => panic!("opened {}", s.describe()),
    };
    let var = format!("FLOWAI_TEST_UNSET_{}", std::process::id());
    // The table is checked before the env var is read.
    assert_eq!(
        config_err(json!({"kind": "postgres", "urlEnv": var, "table": "bad table"})),
        "data_environment.kv.table must be non-empty and contain only [a-zA-Z0-9_]"
    );
    assert_eq!(
        config_err(
            json!({"kind": "postgres", "url": "postgres://u:pw@secret-host/db", "table": ""})
        ),
        "data_environment.kv.table must be non-empty and contain only [a-zA-Z0-9_]"
    );
    assert_eq!(
        config_err(json!({"kind": "postgres", "urlEnv": var})),
        format!("environment variable {var} is not set for data_environment.kv.url_env")
    );
    let text = config_err(json!({"kind": "postgres", "url": "postgres://u:pw@127.0.0.1:1/db"}));
    assert!(
        text.starts_with("failed to open kv postgres store 'postgres://u:***@127.0.0.1:1/db': "),
        "{text}"
    );
    assert!(!text.contains("pw"), "{text}");
    let text = config_err(json!({"kind": "mongo"}));
    assert!(text.contains("memory, postgres, sqlite"), "{text}");
}

#[test]
fn stores_are_callable_from_tokio_tasks() {
    let path = temp_dir().join("tokio.db");
    let mut stores: Vec<Arc<dyn Store>> = vec![Arc::new(SqliteStore::open(&path).unwrap())];
    if let Some(pg) = pg::store("tokio") {
        stores.push(pg);
    }
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for store in stores {
        let s = store.clone();
        multi
            .block_on(async move {
                tokio::spawn(async move { s.commit("t", vec![Op::put("k", json!(1))]) }).await
            })
            .unwrap()
            .unwrap();
        let s = store.clone();
        let got = current.block_on(async move { s.get("t", "k") }).unwrap();
        assert_eq!(got.unwrap().version, 1, "{}", store.describe());
    }
}
