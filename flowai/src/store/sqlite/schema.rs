//! The SQLite schema and its versioned migrations.

use super::map_err;
use crate::store::{StoreError, SCHEMA_VERSION};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// The ordered schema migrations: `(version, SQL)`. Version 2 packs the journal: one row
/// per commit and run (`first_seq..=last_seq`, the events as a JSON array) instead of one
/// row per event, carrying the rows of version 1 over as one-event rows.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE IF NOT EXISTS flowai_kv (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        version INTEGER NOT NULL,
        expires_at INTEGER NULL,
        PRIMARY KEY (tenant, key)
    );
    CREATE TABLE IF NOT EXISTS flowai_events (
        tenant TEXT NOT NULL,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (tenant, run_id, seq)
    );",
    ),
    (
        2,
        "CREATE TABLE flowai_journal (
        tenant TEXT NOT NULL,
        run_id TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (tenant, run_id, first_seq)
    );
    INSERT INTO flowai_journal (tenant, run_id, first_seq, last_seq, events)
        SELECT tenant, run_id, seq, seq, '[' || event || ']' FROM flowai_events;
    DROP TABLE flowai_events;",
    ),
];

/// Applies the pending [`MIGRATIONS`] in one transaction.
pub(super) fn migrate(conn: &mut Connection, describe: &str) -> Result<(), StoreError> {
    let fail = |e: rusqlite::Error| map_err(describe, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS flowai_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )
    .map_err(fail)?;
    let found: Option<String> = tx
        .query_row(
            "SELECT value FROM flowai_meta WHERE key = 'schema_version'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(fail)?;
    let current = match found {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| StoreError::Corrupt {
                store: describe.to_string(),
                detail: format!("flowai_meta.schema_version is '{text}', not a number"),
            })?,
    };
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            store: describe.to_string(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO flowai_meta (key, value) VALUES ('schema_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [version.to_string()],
        )
        .map_err(fail)?;
    }
    tx.commit().map_err(fail)
}
