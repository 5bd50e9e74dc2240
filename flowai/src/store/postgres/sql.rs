//! The SQL of the PostgreSQL backend: schema migrations, prepared statements, and the
//! execution of each request on one connection.

use crate::store::batch::{self, Prior, Write};
use crate::store::{now_ms, Op, Record, StoreError, SCHEMA_VERSION};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio_postgres::{Client, IsolationLevel, Statement};

use super::worker::{Reply, Request};

/// The ordered schema migrations, `{t}` standing for the quoted table name, `{t_events}`
/// and `{t_journal}` for the journals'. Keys use the "C" collation so `scan` orders them by
/// code point, like the other backends. Version 2 packs the journal: one row per commit
/// and run (`first_seq..=last_seq`, the events as a JSON array), not one per event.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE IF NOT EXISTS {t} (
        tenant TEXT COLLATE \"C\" NOT NULL,
        key TEXT COLLATE \"C\" NOT NULL,
        value TEXT NOT NULL,
        version BIGINT NOT NULL,
        expires_at BIGINT NULL,
        PRIMARY KEY (tenant, key)
    );
    CREATE TABLE IF NOT EXISTS {t_events} (
        tenant TEXT COLLATE \"C\" NOT NULL,
        run_id TEXT COLLATE \"C\" NOT NULL,
        seq BIGINT NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (tenant, run_id, seq)
    );",
    ),
    (
        2,
        "CREATE TABLE {t_journal} (
        tenant TEXT COLLATE \"C\" NOT NULL,
        run_id TEXT COLLATE \"C\" NOT NULL,
        first_seq BIGINT NOT NULL,
        last_seq BIGINT NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (tenant, run_id, first_seq)
    );
    INSERT INTO {t_journal} (tenant, run_id, first_seq, last_seq, events)
        SELECT tenant, run_id, seq, seq, '[' || event || ']' FROM {t_events};
    DROP TABLE {t_events};",
    ),
];

/// Why a request failed: a store-level outcome, or a driver error that may be retried on
/// a fresh connection (`retry` is false once a COMMIT was sent: its outcome is unknown).
pub(super) enum Failure {
    Store(StoreError),
    Pg {
        error: tokio_postgres::Error,
        retry: bool,
    },
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Self {
        Failure::Pg { error, retry: true }
    }
}

pub(super) struct Statements {
    get: Statement,
    get_many: Statement,
    scan_range: Statement,
    scan_open: Statement,
    events: Statement,
    lock: Statement,
    last_seq: Statement,
    bump: Statement,
    update: Statement,
    create: Statement,
    append: Statement,
}

pub(super) struct Conn {
    pub client: Client,
    pub stmts: Statements,
}

fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

/// Brings the tables of `table` up to date, under an advisory lock so concurrent opens
/// don't race.
pub(super) async fn migrate(
    client: &mut Client,
    table: &str,
    describe: &str,
) -> Result<(), Failure> {
    let t = quote(table);
    let meta = quote(&format!("{}_meta", table));
    let events = quote(&format!("{}_events", table));
    let journal = quote(&format!("{}_journal", table));
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&format!("flowai:{}", table)],
    )
    .await?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    ))
    .await?;
    let row = tx
        .query_opt(
            &format!("SELECT value FROM {meta} WHERE key = 'schema_version'"),
            &[],
        )
        .await?;
    let current = match row {
        None => 0,
        Some(row) => {
            let text: String = row.try_get(0)?;
            text.trim().parse::<i64>().map_err(|_| {
                Failure::Store(StoreError::Corrupt {
                    store: describe.to_string(),
                    detail: format!("{meta}.schema_version is '{text}', not a number"),
                })
            })?
        }
    };
    if current > SCHEMA_VERSION {
        return Err(Failure::Store(StoreError::NewerSchema {
            store: describe.to_string(),
            found: current,
            supported: SCHEMA_VERSION,
        }));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let sql = sql
            .replace("{t_events}", &events)
            .replace("{t_journal}", &journal)
            .replace("{t}", &t);
        tx.batch_execute(&sql).await?;
        tx.execute(
            &format!(
                "INSERT INTO {meta} (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            &[&version.to_string()],
        )
        .await?;
    }
    Ok(tx.commit().await?)
}

/// Prepares the statements of one connection.
pub(super) async fn prepare(
    client: &Client,
    table: &str,
) -> Result<Statements, tokio_postgres::Error> {
    let t = quote(table);
    let ev = quote(&format!("{}_journal", table));
    let live = "(expires_at IS NULL OR expires_at > $3)";
    let cols = "key, value, version, expires_at";
    Ok(Statements {
        get: client
            .prepare(&format!(
                "SELECT {cols} FROM {t} WHERE tenant = $1 AND key = $2 AND {live}"
            ))
            .await?,
        get_many: client
            .prepare(&format!(
                "SELECT {cols} FROM {t} WHERE tenant = $1 AND key = ANY($2) AND {live}"
            ))
            .await?,
        scan_range: client
            .prepare(&format!(
                "SELECT {cols} FROM {t} WHERE tenant = $1 AND key >= $2 AND key < $4
                 AND {live} ORDER BY key"
            ))
            .await?,
        scan_open: client
            .prepare(&format!(
                "SELECT {cols} FROM {t} WHERE tenant = $1 AND key >= $2 AND {live} ORDER BY key"
            ))
            .await?,
        events: client
            .prepare(&format!(
                "SELECT first_seq, events FROM {ev} WHERE tenant = $1 AND run_id = $2
                 AND last_seq > $3 ORDER BY first_seq"
            ))
            .await?,
        lock: client
            .prepare(&format!(
                "SELECT version, expires_at FROM {t} WHERE tenant = $1 AND key = $2 FOR UPDATE"
            ))
            .await?,
        last_seq: client
            .prepare(&format!(
                "SELECT last_seq FROM {ev} WHERE tenant = $1 AND run_id = $2
                 ORDER BY first_seq DESC LIMIT 1"
            ))
            .await?,
        bump: client
            .prepare(&format!(
                "INSERT INTO {t} AS t (tenant, key, value, version, expires_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant, key) DO UPDATE SET value = EXCLUDED.value,
                   version = t.version + EXCLUDED.version, expires_at = EXCLUDED.expires_at"
            ))
            .await?,
        update: client
            .prepare(&format!(
                "UPDATE {t} SET value = $3, version = $4, expires_at = $5
                 WHERE tenant = $1 AND key = $2"
            ))
            .await?,
        create: client
            .prepare(&format!(
                "INSERT INTO {t} (tenant, key, value, version, expires_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, key) DO NOTHING"
            ))
            .await?,
        append: client
            .prepare(&format!(
                "INSERT INTO {ev} (tenant, run_id, first_seq, last_seq, events)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, run_id, first_seq) DO NOTHING"
            ))
            .await?,
    })
}

fn to_json(value: &Value) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Config(format!("a value cannot be serialized as JSON: {e}")))
}

fn parse(text: &str) -> Result<Arc<Value>, Failure> {
    serde_json::from_str(text).map(Arc::new).map_err(|e| {
        Failure::Store(StoreError::Corrupt {
            store: String::new(),
            detail: format!("a stored value is not JSON: {e}"),
        })
    })
}

fn record(row: &tokio_postgres::Row) -> Result<(String, Record), Failure> {
    let value: String = row.try_get(1)?;
    Ok((
        row.try_get(0)?,
        Record {
            value: parse(&value)?,
            version: row.try_get(2)?,
            expires_at_ms: row.try_get(3)?,
        },
    ))
}

pub(super) async fn execute(conn: &mut Conn, request: &Request) -> Result<Reply, Failure> {
    let s = &conn.stmts;
    let now = now_ms();
    match request {
        Request::Get { tenant, key } => {
            let row = conn.client.query_opt(&s.get, &[tenant, key, &now]).await?;
            Ok(Reply::Record(
                row.map(|r| record(&r)).transpose()?.map(|(_, r)| r),
            ))
        }
        Request::GetMany { tenant, keys } => {
            let rows = conn
                .client
                .query(&s.get_many, &[tenant, keys, &now])
                .await?;
            let out = rows.iter().map(record).collect::<Result<Vec<_>, _>>()?;
            Ok(Reply::Records(out))
        }
        Request::Scan { tenant, prefix } => {
            let rows = match batch::prefix_upper(prefix) {
                Some(upper) => {
                    conn.client
                        .query(&s.scan_range, &[tenant, prefix, &now, &upper])
                        .await?
                }
                None => {
                    conn.client
                        .query(&s.scan_open, &[tenant, prefix, &now])
                        .await?
                }
            };
            let out = rows.iter().map(record).collect::<Result<Vec<_>, _>>()?;
            Ok(Reply::Records(out))
        }
        Request::Events { tenant, run, after } => {
            let Ok(after) = i64::try_from(*after) else {
                return Ok(Reply::Events(Vec::new()));
            };
            let rows = conn.client.query(&s.events, &[tenant, run, &after]).await?;
            let mut out = Vec::new();
            for row in rows {
                let first: i64 = row.try_get(0)?;
                let events: String = row.try_get(1)?;
                let first = u64::try_from(first).unwrap_or(0);
                let after = u64::try_from(after).unwrap_or(0);
                batch::unpack(first, &events, after, &mut out).map_err(|detail| {
                    Failure::Store(StoreError::Corrupt {
                        store: String::new(),
                        detail,
                    })
                })?;
            }
            Ok(Reply::Events(out))
        }
        Request::Commit { tenant, ops } => commit(conn, tenant, ops, now).await,
    }
}

/// One READ COMMITTED transaction: lock every touched row that exists (in key order, so
/// concurrent batches don't deadlock), check against those rows like the memory backend,
/// then write; a row-count miss means a concurrent writer won, and everything rolls back.
async fn commit(conn: &mut Conn, tenant: &str, ops: &[Op], now: i64) -> Result<Reply, Failure> {
    let s = &conn.stmts;
    let tx = conn
        .client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .await?;
    let mut keys: Vec<&str> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Put { key, .. } | Op::Insert { key, .. } | Op::Replace { key, .. } => {
                Some(key.as_str())
            }
            Op::Event { .. } => None,
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut prior = HashMap::with_capacity(keys.len());
    for key in keys {
        if let Some(row) = tx.query_opt(&s.lock, &[&tenant, &key]).await? {
            let p = Prior {
                version: row.try_get(0)?,
                expires_at_ms: row.try_get(1)?,
            };
            prior.insert(key, p);
        }
    }
    // A batch starting a journal (seq 1) reads nothing: a row already there makes its
    // insert a no-op, reported as a conflict below.
    let mut last_seq = HashMap::new();
    for (run, first) in batch::first_seqs(ops) {
        let last = if first == 1 {
            0
        } else {
            match tx.query_opt(&s.last_seq, &[&tenant, &run]).await? {
                Some(row) => u64::try_from(row.try_get::<_, i64>(0)?).unwrap_or(0),
                None => 0,
            }
        };
        last_seq.insert(run, last);
    }
    let mut plan = batch::plan(ops, &prior, &last_seq, now)?;
    plan.kv.sort_by(|a, b| a.key.cmp(&b.key));
    for w in &plan.kv {
        let value = to_json(&w.value)?;
        let p: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&tenant, &w.key, &value, &w.version, &w.expires_at_ms];
        let changed = match w.write {
            Write::Bump(n) => {
                tx.execute(&s.bump, &[&tenant, &w.key, &value, &n, &w.expires_at_ms])
                    .await?
            }
            Write::Update => tx.execute(&s.update, &p).await?,
            Write::Create => tx.execute(&s.create, &p).await?,
        };
        if changed != 1 {
            let _ = tx.rollback().await;
            return Err(StoreError::Conflict { key: w.key.clone() }.into());
        }
    }
    for row in batch::journal_rows(&plan.events) {
        let first = i64::try_from(row.first).unwrap_or(i64::MAX);
        let last = i64::try_from(row.last).unwrap_or(i64::MAX);
        let p: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&tenant, &row.run, &first, &last, &row.events];
        if tx.execute(&s.append, &p).await? != 1 {
            let _ = tx.rollback().await;
            return Err(StoreError::Conflict {
                key: format!("run:{}#{}", row.run, row.first),
            }
            .into());
        }
    }
    tx.commit().await.map_err(|error| Failure::Pg {
        error,
        retry: false,
    })?;
    Ok(Reply::Done)
}
