//! The PostgreSQL [`Store`]: several processes sharing one state.
//!
//! Tables (schema version 1): `<table>` (default `flowai_kv`: tenant, key, value, version,
//! expires_at), `<table>_events` (the run journal) and `<table>_meta` (`schema_version`).
//! Migrations run under a transaction-scoped advisory lock, so processes opening one
//! database at once don't race.
//!
//! The [`Store`] trait is synchronous and is called from tokio tasks as well as plain
//! threads, so no call blocks on a runtime of the caller's: a dedicated thread owns a
//! current-thread tokio runtime and the connection (see `worker`), and each call sends it
//! a request and waits for the reply on a standard channel.

mod sql;
mod worker;

use super::open::{redact_url, scrub, secrets, valid_identifier};
use super::{Op, Record, Store, StoreError};
use serde_json::Value;
use std::sync::{mpsc, Arc};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use worker::{Job, Reply, Request, Worker};

/// The default table name.
pub const DEFAULT_TABLE: &str = "flowai_kv";

/// How long connecting may take when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A durable [`Store`] in a PostgreSQL database.
pub struct PostgresStore {
    jobs: UnboundedSender<Job>,
    describe: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://` / `postgresql://` URL or a
    /// key/value connection string) and brings the schema of `table` (default
    /// `flowai_kv`) up to date. Must not be called on a current-thread runtime's own
    /// thread any more than other blocking calls; it never calls `block_on` there.
    ///
    /// # Errors
    /// [`StoreError::Config`] for an invalid table name or URL,
    /// [`StoreError::Unavailable`] if the server cannot be reached,
    /// [`StoreError::NewerSchema`] if a newer flowai wrote the tables. No message
    /// contains the password.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowai::store::{postgres::PostgresStore, StoreError};
    ///
    /// // Nothing listens on port 1: the error names the store with its password redacted.
    /// let err = PostgresStore::connect("postgres://app:hunter2@127.0.0.1:1/db", None).unwrap_err();
    /// assert!(matches!(err, StoreError::Unavailable { .. }));
    /// let text = err.to_string();
    /// assert!(text.contains("postgres://app:***@127.0.0.1:1/db") && !text.contains("hunter2"));
    ///
    /// // Table names are checked before connecting.
    /// let err = PostgresStore::connect("postgres://127.0.0.1:1/db", Some("kv; drop")).unwrap_err();
    /// assert!(matches!(err, StoreError::Config(_)));
    /// ```
    pub fn connect(url: &str, table: Option<&str>) -> Result<Self, StoreError> {
        let table = table.unwrap_or(DEFAULT_TABLE);
        if !valid_identifier(table) {
            return Err(StoreError::Config(
                "postgres store table must be non-empty and contain only [a-zA-Z0-9_]".into(),
            ));
        }
        let describe = format!("postgres store '{}'", redact_url(url));
        let mut hidden = secrets(url);
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e: tokio_postgres::Error| {
                StoreError::Config(format!(
                    "{describe}: {}",
                    scrub(worker::describe_error(&e), &hidden)
                ))
            })?;
        if let Some(pw) = config.get_password() {
            let pw = String::from_utf8_lossy(pw).into_owned();
            if !pw.is_empty() {
                hidden.push(pw);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let (jobs, inbox) = tokio::sync::mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let worker = Worker::new(config, table, describe.clone(), hidden);
        std::thread::Builder::new()
            .name("flowai-postgres".into())
            .spawn(move || worker.run(inbox, ready_tx))
            .map_err(|e| StoreError::Unavailable {
                store: describe.clone(),
                detail: format!("cannot start the store's worker thread: {e}"),
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(PostgresStore { jobs, describe }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(stopped(&describe)),
        }
    }

    fn call(&self, request: Request) -> Result<Reply, StoreError> {
        let (reply, answer) = mpsc::channel();
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| stopped(&self.describe))?;
        answer.recv().map_err(|_| stopped(&self.describe))?
    }
}

fn stopped(describe: &str) -> StoreError {
    StoreError::Unavailable {
        store: describe.to_string(),
        detail: "the store's connection thread stopped".into(),
    }
}

fn unexpected(describe: &str) -> StoreError {
    StoreError::Unavailable {
        store: describe.to_string(),
        detail: "the store's connection thread answered another request".into(),
    }
}

impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn commit(&self, tenant: &str, ops: Vec<Op>) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Ok(());
        }
        match self.call(Request::Commit {
            tenant: tenant.into(),
            ops,
        })? {
            Reply::Done => Ok(()),
            _ => Err(unexpected(&self.describe)),
        }
    }

    fn get(&self, tenant: &str, key: &str) -> Result<Option<Record>, StoreError> {
        match self.call(Request::Get {
            tenant: tenant.into(),
            key: key.into(),
        })? {
            Reply::Record(r) => Ok(r),
            _ => Err(unexpected(&self.describe)),
        }
    }

    fn get_many(&self, tenant: &str, keys: &[String]) -> Result<Vec<(String, Record)>, StoreError> {
        match self.call(Request::GetMany {
            tenant: tenant.into(),
            keys: keys.to_vec(),
        })? {
            Reply::Records(r) => Ok(r),
            _ => Err(unexpected(&self.describe)),
        }
    }

    fn scan(&self, tenant: &str, prefix: &str) -> Result<Vec<(String, Record)>, StoreError> {
        match self.call(Request::Scan {
            tenant: tenant.into(),
            prefix: prefix.into(),
        })? {
            Reply::Records(r) => Ok(r),
            _ => Err(unexpected(&self.describe)),
        }
    }

    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<Value>)>, StoreError> {
        match self.call(Request::Events {
            tenant: tenant.into(),
            run: run.into(),
            after,
        })? {
            Reply::Events(e) => Ok(e),
            _ => Err(unexpected(&self.describe)),
        }
    }
}
