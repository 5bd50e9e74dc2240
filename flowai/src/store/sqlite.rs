//! The SQLite [`Store`]: one file in WAL mode, shareable by several handles and processes.
//!
//! Tables (schema version 2): `flowai_meta(key, value)` holding `schema_version`,
//! `flowai_kv(tenant, key, value, version, expires_at)` and
//! `flowai_journal(tenant, run_id, first_seq, last_seq, events)`, one journal row per
//! commit and run holding its events as a JSON array. Values are JSON text; `expires_at`
//! is ms since the epoch. Every commit is one `BEGIN IMMEDIATE` transaction, so commits from
//! any number of connections serialize on the file's write lock (waiting up to 5 s).

use super::batch::{self, Prior, Write};
use super::{now_ms, Op, Record, Store, StoreError};
use convert::{map_err, row_of, seq_i64, to_json};
use immediate::Immediate;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The end of a run's journal: its last row's `last_seq`.
const LAST_ROW: &str = "SELECT last_seq FROM flowai_journal WHERE tenant = ?1 AND run_id = ?2
     ORDER BY first_seq DESC LIMIT 1";

/// How long a connection waits for another one's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A durable [`Store`] in one SQLite file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    describe: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the store file at `path` and brings its schema up to
    /// date. The parent directory must exist. Several stores, in this process or
    /// others, may open one file at once.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the file cannot be opened or created (e.g. its
    /// directory is missing), [`StoreError::Corrupt`] if it is not a SQLite database,
    /// [`StoreError::NewerSchema`] if a newer flowai wrote it.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowai::store::{sqlite::SqliteStore, Op, Store};
    /// use serde_json::json;
    ///
    /// let path = std::env::temp_dir().join(format!("flowai-doc-{}.db", std::process::id()));
    /// let store = SqliteStore::open(&path).unwrap();
    /// store.commit("acme", vec![Op::put("greeting", json!("hello"))]).unwrap();
    ///
    /// // Another handle on the same file sees the write.
    /// let other = SqliteStore::open(&path).unwrap();
    /// let record = other.get("acme", "greeting").unwrap().unwrap();
    /// assert_eq!(*record.value, json!("hello"));
    /// assert!(other.get("globex", "greeting").unwrap().is_none());
    /// # drop((store, other));
    /// # for suffix in ["", "-wal", "-shm"] {
    /// #     let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    /// # }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let describe = format!("sqlite store '{}'", path.display());
        let fail = |e: rusqlite::Error| map_err(&describe, e);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(StoreError::Unavailable {
                    store: describe.clone(),
                    detail: format!(
                        "directory '{}' does not exist; create it before opening '{}'",
                        parent.display(),
                        path.display()
                    ),
                });
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // The first statement that reads the file: a non-database fails here.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable {
                store: describe,
                detail: format!("cannot switch the journal to WAL mode (it is '{mode}')"),
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        // Checkpoint every ~40 MB of WAL instead of SQLite's ~4 MB: a run rewrites the same
        // few hot pages, so rarer checkpoints copy far fewer pages per commit, and 99% of
        // commits no longer wait on one (p99 of a W1 run: ~20 ms -> ~0.5 ms).
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(fail)?;
        // Query-planner stability: without it, SQLite (built with STAT4) re-prepares a
        // cached statement whenever a bound value that might change its plan changes, which
        // for the journal's last-row lookup was every new run id.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(fail)?;
        conn.set_prepared_statement_cache_capacity(32);
        schema::migrate(&mut conn, &describe)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            describe,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled its transaction back on unwind.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        map_err(&self.describe, e)
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            store: self.describe.clone(),
            detail,
        }
    }

    fn parse(&self, text: &str) -> Result<Arc<Value>, StoreError> {
        serde_json::from_str(text)
            .map(Arc::new)
            .map_err(|e| self.corrupt(format!("a stored value is not JSON: {e}")))
    }

    fn record(
        &self,
        value: &str,
        version: i64,
        expires_at_ms: Option<i64>,
    ) -> Result<Record, StoreError> {
        Ok(Record {
            value: self.parse(value)?,
            version,
            expires_at_ms,
        })
    }

    /// The `key, value, version, expires_at` rows `stmt` yields for `params`, as records.
    fn records(
        &self,
        stmt: &mut rusqlite::CachedStatement<'_>,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(String, Record)>, StoreError> {
        let rows = stmt.query_map(params, row_of).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, value, version, exp) = row.map_err(|e| self.err(e))?;
            out.push((key, self.record(&value, version, exp)?));
        }
        Ok(out)
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn commit(&self, tenant: &str, ops: Vec<Op>) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let conn = self.lock();
        let tx = Immediate::begin(&conn).map_err(|e| self.err(e))?;
        let (keys, runs) = batch::reads(&ops);
        let mut prior = HashMap::with_capacity(keys.len());
        if !keys.is_empty() {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT version, expires_at FROM flowai_kv WHERE tenant = ?1 AND key = ?2",
                )
                .map_err(|e| self.err(e))?;
            for key in keys {
                let row = stmt
                    .query_row(params![tenant, key], |r| {
                        Ok(Prior {
                            version: r.get(0)?,
                            expires_at_ms: r.get(1)?,
                        })
                    })
                    .optional()
                    .map_err(|e| self.err(e))?;
                if let Some(p) = row {
                    prior.insert(key, p);
                }
            }
        }
        // A run's journal rows are contiguous, so a batch appending from seq `s` needs the
        // run's last row to end at `s - 1`. A batch starting a journal (`s == 1`) reads
        // nothing: a row already there makes its insert fail on the primary key.
        let mut last_seq = HashMap::with_capacity(runs.len());
        for (run, first) in batch::first_seqs(&ops) {
            let last = if first == 1 {
                0
            } else {
                tx.prepare_cached(LAST_ROW)
                    .and_then(|mut s| {
                        s.query_row(params![tenant, run], |r| r.get::<_, i64>(0))
                            .optional()
                    })
                    .map_err(|e| self.err(e))?
                    .map_or(0, |last| u64::try_from(last).unwrap_or(0))
            };
            last_seq.insert(run, last);
        }
        let plan = batch::plan(&ops, &prior, &last_seq, now)?;
        for w in &plan.kv {
            let value = to_json(&w.value)?;
            let changed = match w.write {
                Write::Bump(n) => tx
                    .prepare_cached(
                        "INSERT INTO flowai_kv (tenant, key, value, version, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value,
                           version = flowai_kv.version + excluded.version,
                           expires_at = excluded.expires_at",
                    )
                    .and_then(|mut s| s.execute(params![tenant, w.key, value, n, w.expires_at_ms])),
                Write::Update => tx
                    .prepare_cached(
                        "UPDATE flowai_kv SET value = ?3, version = ?4, expires_at = ?5
                         WHERE tenant = ?1 AND key = ?2",
                    )
                    .and_then(|mut s| {
                        s.execute(params![tenant, w.key, value, w.version, w.expires_at_ms])
                    }),
                Write::Create => tx
                    .prepare_cached(
                        "INSERT INTO flowai_kv (tenant, key, value, version, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, key) DO NOTHING",
                    )
                    .and_then(|mut s| {
                        s.execute(params![tenant, w.key, value, w.version, w.expires_at_ms])
                    }),
            }
            .map_err(|e| self.err(e))?;
            if changed != 1 {
                return Err(StoreError::Conflict { key: w.key.clone() });
            }
        }
        for row in batch::journal_rows(&plan.events) {
            tx.prepare_cached(
                "INSERT INTO flowai_journal (tenant, run_id, first_seq, last_seq, events)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    tenant,
                    row.run,
                    seq_i64(row.first),
                    seq_i64(row.last),
                    row.events
                ])
            })
            .map_err(|err| match err.sqlite_error_code() {
                Some(ErrorCode::ConstraintViolation) => StoreError::Conflict {
                    key: format!("run:{}#{}", row.run, row.first),
                },
                _ => self.err(err),
            })?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn get(&self, tenant: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT value, version, expires_at FROM flowai_kv
                 WHERE tenant = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)",
            )
            .map_err(|e| self.err(e))?;
        let row = stmt
            .query_row(params![tenant, key, now_ms()], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(v, version, exp)| self.record(&v, version, exp))
            .transpose()
    }

    fn get_many(&self, tenant: &str, keys: &[String]) -> Result<Vec<(String, Record)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT key, value, version, expires_at FROM flowai_kv WHERE tenant = ?1
                 AND key IN (SELECT value FROM json_each(?2))
                 AND (expires_at IS NULL OR expires_at > ?3)",
            )
            .map_err(|e| self.err(e))?;
        let keys = serde_json::to_string(keys).map_err(|e| self.corrupt(e.to_string()))?;
        self.records(&mut stmt, params![tenant, keys, now_ms()])
    }

    fn scan(&self, tenant: &str, prefix: &str) -> Result<Vec<(String, Record)>, StoreError> {
        let conn = self.lock();
        let now = now_ms();
        let upper = batch::prefix_upper(prefix);
        let columns = "SELECT key, value, version, expires_at FROM flowai_kv WHERE tenant = ?1
             AND key >= ?2 AND (expires_at IS NULL OR expires_at > ?3)";
        let sql = if upper.is_some() {
            format!("{columns} AND key < ?4 ORDER BY key")
        } else {
            format!("{columns} ORDER BY key")
        };
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        match &upper {
            Some(upper) => self.records(&mut stmt, params![tenant, prefix, now, upper]),
            None => self.records(&mut stmt, params![tenant, prefix, now]),
        }
    }

    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<Value>)>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT first_seq, events FROM flowai_journal
                 WHERE tenant = ?1 AND run_id = ?2 AND last_seq > ?3 ORDER BY first_seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant, run, after], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (first, events) = row.map_err(|e| self.err(e))?;
            let first = u64::try_from(first).unwrap_or(0);
            let after = u64::try_from(after).unwrap_or(0);
            batch::unpack(first, &events, after, &mut out).map_err(|e| self.corrupt(e))?;
        }
        Ok(out)
    }
}

mod convert;
mod immediate;
mod schema;
#[cfg(test)]
mod tests;
