//! PostgreSQL test support and cases: `FLOWAI_TEST_PG_URL`, a table per test run.

use flowai::store::postgres::PostgresStore;
use flowai::store::{Op, Store, StoreError};
use serde_json::json;
use std::sync::Arc;

/// The server URL, or `None` after printing that the caller is skipped.
/// Panics when `FLOWAI_REQUIRE_PG=1` and no URL is set.
pub fn url(test: &str) -> Option<String> {
    match std::env::var("FLOWAI_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("FLOWAI_REQUIRE_PG").as_deref() != Ok("1"),
                "FLOWAI_REQUIRE_PG=1 but FLOWAI_TEST_PG_URL is not set: \
                 run eval \"$(scripts/pg.sh start <dir>)\" first"
            );
            eprintln!("skipped postgres test {test}: FLOWAI_TEST_PG_URL is not set");
            None
        }
    }
}

/// A table name unique to this run and `test`.
pub fn table(test: &str) -> String {
    format!("flowai_test_{test}_{}", uuid::Uuid::new_v4().simple())
}

/// A store on a fresh table, or `None` (skipped).
pub fn store(test: &str) -> Option<Arc<dyn Store>> {
    let url = url(test)?;
    let table = table(test);
    Some(Arc::new(
        PostgresStore::connect(&url, Some(&table)).unwrap(),
    ))
}

/// Runs `sql` on a separate admin session.
pub fn admin(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(conn);
        client.batch_execute(sql).await.unwrap();
        drop(client);
        let _ = task.await;
    });
}

fn drop_tables(url: &str, table: &str) {
    admin(
        url,
        &format!("DROP TABLE IF EXISTS \"{table}\", \"{table}_journal\", \"{table}_events\", \"{table}_meta\""),
    );
}

#[test]
fn postgres_conforms() {
    let Some(url) = url("conforms") else { return };
    let table = table("conforms");
    let store = PostgresStore::connect(&url, Some(&table)).unwrap();
    assert!(store.describe().starts_with("postgres store 'postgres"));
    crate::suite::conformance(&store);
    // Separate connections, as separate processes would have.
    let handles: Vec<Arc<dyn Store>> = (0..4)
        .map(|_| Arc::new(PostgresStore::connect(&url, Some(&table)).unwrap()) as Arc<dyn Store>)
        .collect();
    crate::suite::concurrency(&handles);
    drop_tables(&url, &table);
}

#[test]
fn postgres_newer_schema_is_refused() {
    let Some(url) = url("newer") else { return };
    let table = table("newer");
    drop(PostgresStore::connect(&url, Some(&table)).unwrap());
    admin(
        &url,
        &format!("UPDATE \"{table}_meta\" SET value = '99' WHERE key = 'schema_version'"),
    );
    let err = PostgresStore::connect(&url, Some(&table)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99,
                supported: flowai::store::SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Upgrade flowai"));
    drop_tables(&url, &table);
}

#[test]
fn postgres_concurrent_opens_migrate_once() {
    let Some(url) = url("opens") else { return };
    let table = table("opens");
    let opened: Vec<Result<PostgresStore, StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| PostgresStore::connect(&url, Some(&table))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for store in opened {
        store
            .unwrap()
            .commit("t", vec![Op::put("k", json!(1))])
            .unwrap();
    }
    drop_tables(&url, &table);
}

#[test]
fn postgres_survives_a_terminated_backend() {
    let Some(url) = url("terminate") else { return };
    let table = table("terminate");
    let app = format!("flowai_terminate_{}", uuid::Uuid::new_v4().simple());
    let sep = if url.contains('?') { '&' } else { '?' };
    let store =
        PostgresStore::connect(&format!("{url}{sep}application_name={app}"), Some(&table)).unwrap();
    store
        .commit("t", vec![Op::put("k", json!("kept"))])
        .unwrap();
    admin(&url, &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{app}'"));
    std::thread::sleep(std::time::Duration::from_millis(100));
    match store.get("t", "k") {
        Ok(record) => assert_eq!(*record.unwrap().value, json!("kept")),
        Err(e) => assert!(matches!(e, StoreError::Unavailable { .. }), "{e:?}"),
    }
    // Whatever the first call saw, the store is usable again.
    assert_eq!(*store.get("t", "k").unwrap().unwrap().value, json!("kept"));
    store
        .commit("t", vec![Op::put("k", json!("after"))])
        .unwrap();
    assert_eq!(store.get("t", "k").unwrap().unwrap().version, 2);
    drop_tables(&url, &table);
}

#[test]
fn postgres_errors_never_show_the_password() {
    let err = PostgresStore::connect("postgres://u:pw@127.0.0.1:1/db", None).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("postgres://u:***@127.0.0.1:1/db") && !text.contains("pw"),
        "{text}"
    );
    let Some(url) = url("password") else { return };
    // A wrong database on a live server: the driver error is shown, the password is not.
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    let rest = &rest[rest.rfind('@').map_or(0, |i| i + 1)..];
    let host_port = &rest[..rest.find('/').unwrap_or(rest.len())];
    let bad = format!("postgres://flowai_nobody:s3cretpw@{host_port}/nodb?password=s3cretpw");
    let err = PostgresStore::connect(&bad, None).unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("s3cretpw"), "{text}");
    assert!(text.contains("postgres://flowai_nobody:***@"), "{text}");
}

#[test]
fn postgres_version_1_journal_is_carried_over() {
    let Some(url) = url("v1") else { return };
    let table = table("v1");
    admin(
        &url,
        &format!(
            "CREATE TABLE \"{table}_meta\" (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             INSERT INTO \"{table}_meta\" VALUES ('schema_version', '1');
             CREATE TABLE \"{table}\" (tenant TEXT COLLATE \"C\" NOT NULL,
               key TEXT COLLATE \"C\" NOT NULL, value TEXT NOT NULL, version BIGINT NOT NULL,
               expires_at BIGINT NULL, PRIMARY KEY (tenant, key));
             CREATE TABLE \"{table}_events\" (tenant TEXT COLLATE \"C\" NOT NULL,
               run_id TEXT COLLATE \"C\" NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL,
               PRIMARY KEY (tenant, run_id, seq));
             INSERT INTO \"{table}_events\" VALUES ('t', 'r', 1, '{{\"type\":\"start\"}}'),
               ('t', 'r', 2, '{{\"type\":\"step-start\"}}');"
        ),
    );
    let store = PostgresStore::connect(&url, Some(&table)).unwrap();
    let types = |after| -> Vec<(u64, serde_json::Value)> {
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
    let third = Op::Event {
        run: "r".into(),
        seq: 3,
        event: Arc::new(flowai::StreamPart::error("x")),
    };
    store.commit("t", vec![third.clone()]).unwrap();
    assert_eq!(
        types(1),
        vec![(2, json!("step-start")), (3, json!("error"))]
    );
    assert!(matches!(
        store.commit("t", vec![third]),
        Err(StoreError::Conflict { .. })
    ));
    drop(store);
    drop_tables(&url, &table);
}
