//! Durable runtime state (ARCHITECTURE.md "Storage", issue 6).
//!
//! Every piece of runtime state (thread memory, plans, approvals, references, run records,
//! replay steps) is a JSON record under a string key in a tenant-partitioned key-value
//! table, and every event of every run is a row of the run journal keyed by
//! `(tenant, run id, sequence number)`. A [`Store`] offers exactly that, with one atomic
//! write operation, [`Store::commit`], whose conditional ops ([`Op::Insert`],
//! [`Op::Replace`], [`Op::Event`]) make plan transitions, approval decisions and journal
//! appends exactly-once across threads, processes and crashes.
//!
//! Backends: [`MemoryStore`] (the default, per runtime handle), [`sqlite::SqliteStore`]
//! (one file, WAL; the embedded default for anything durable) and
//! [`postgres::PostgresStore`] (several processes sharing one state).
//!
//! # Examples
//!
//! ```
//! use flowai::store::{MemoryStore, Op, Store, StoreError};
//! use serde_json::json;
//! use std::sync::Arc;
//!
//! let store = MemoryStore::default();
//! store.commit("acme", vec![Op::insert("plan:p1", json!({"status": "draft"}))]).unwrap();
//! let record = store.get("acme", "plan:p1").unwrap().unwrap();
//! assert_eq!(record.version, 1);
//! // A compare-and-set on a stale version is a conflict, and nothing is written.
//! let stale = Op::Replace { key: "plan:p1".into(), version: 0, value: Arc::new(json!({})) };
//! assert!(matches!(store.commit("acme", vec![stale]), Err(StoreError::Conflict { .. })));
//! // Tenants are isolated.
//! assert!(store.get("globex", "plan:p1").unwrap().is_none());
//! ```

pub(crate) mod agent_memory;
pub(crate) mod batch;
mod memory;
pub mod open;
pub mod postgres;
pub mod sqlite;

pub use memory::{MemoryStore, DEFAULT_RETAINED_RUNS};

use serde_json::Value;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The schema version this build writes. A store holding a newer one is refused with
/// [`StoreError::NewerSchema`].
pub const SCHEMA_VERSION: i64 = 2;

/// Milliseconds since the Unix epoch, the unit of [`Record::expires_at_ms`].
pub fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// One stored value.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The JSON value, shared so large values are not copied on read.
    pub value: Arc<Value>,
    /// 1 when created, +1 on every write; the token of [`Op::Replace`].
    pub version: i64,
    /// When the record stops being visible (ms since the epoch); `None` never expires.
    pub expires_at_ms: Option<i64>,
}

/// One write of a [`Store::commit`] batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Writes `key` whatever is there (version: previous + 1, or 1).
    Put {
        /// The key.
        key: String,
        /// The value.
        value: Arc<Value>,
        /// Expiry, ms since the epoch.
        expires_at_ms: Option<i64>,
    },
    /// Creates `key` (version 1); [`StoreError::Conflict`] if a live (unexpired) record
    /// exists. An expired record is replaced.
    Insert {
        /// The key.
        key: String,
        /// The value.
        value: Arc<Value>,
    },
    /// Overwrites `key` only if its current version is `version` (compare-and-set);
    /// [`StoreError::Conflict`] otherwise, including when the key is missing.
    Replace {
        /// The key.
        key: String,
        /// The version read before.
        version: i64,
        /// The new value (version becomes `version + 1`).
        value: Arc<Value>,
    },
    /// Appends event `seq` to the journal of run `run`; [`StoreError::Conflict`] if that
    /// sequence number is taken (another process continued the run).
    Event {
        /// The run id.
        run: String,
        /// The event's sequence number (1-based, no gaps).
        seq: u64,
        /// The event. Every backend stores its wire JSON: the events one commit appends to
        /// a run as one JSON array (a journal is written on every commit and read rarely).
        event: Arc<crate::event::StreamPart>,
    },
}

impl Op {
    /// An unconditional write with no expiry.
    pub fn put(key: impl Into<String>, value: Value) -> Self {
        Op::Put {
            key: key.into(),
            value: Arc::new(value),
            expires_at_ms: None,
        }
    }

    /// A create-if-absent.
    pub fn insert(key: impl Into<String>, value: Value) -> Self {
        Op::Insert {
            key: key.into(),
            value: Arc::new(value),
        }
    }
}

/// Why a store operation failed. Every message names the store (redacted) and says what
/// to do.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A conditional op lost: the key exists, the version moved, or the journal slot is
    /// taken. Nothing of the batch was written.
    #[error("conflicting write to '{key}'")]
    Conflict {
        /// The key (or `run:<id>#<seq>` for a journal slot).
        key: String,
    },
    /// The store cannot be reached or failed an I/O operation.
    #[error("{store} is unavailable: {detail}. Check that it is running and reachable; runs paused by this error can be resumed once it is back")]
    Unavailable {
        /// e.g. `sqlite store '/var/lib/app/flowai.db'` or `postgres store 'postgres://app:***@db/x'`.
        store: String,
        /// The driver's error (never the raw URL).
        detail: String,
    },
    /// The file or database is not a flowai store or is damaged.
    #[error("{store} is corrupt or not a flowai store: {detail}. Restore it from a backup or point the runtime at a new file")]
    Corrupt {
        /// The store.
        store: String,
        /// The driver's error.
        detail: String,
    },
    /// The store was written by a newer flowai.
    #[error("{store} has schema version {found}, newer than the {supported} this flowai supports. Upgrade flowai to open it")]
    NewerSchema {
        /// The store.
        store: String,
        /// The version found.
        found: i64,
        /// [`SCHEMA_VERSION`].
        supported: i64,
    },
    /// The store descriptor is malformed.
    #[error("{0}")]
    Config(String),
}

/// A tenant-partitioned key-value table plus the run journal. Implementations are
/// synchronous and callable from any thread, including inside a tokio runtime.
pub trait Store: Send + Sync + 'static {
    /// A short, redacted description for messages: `memory store`,
    /// `sqlite store '<path>'`, `postgres store '<redacted url>'`.
    fn describe(&self) -> String;

    /// Whether state outlives the process (false only for memory).
    fn is_durable(&self) -> bool {
        true
    }

    /// Applies `ops` atomically: all of them or, on any error, none.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a conditional op fails; I/O errors otherwise.
    fn commit(&self, tenant: &str, ops: Vec<Op>) -> Result<(), StoreError>;

    /// The live (unexpired) record at `key`.
    ///
    /// # Errors
    /// I/O errors.
    fn get(&self, tenant: &str, key: &str) -> Result<Option<Record>, StoreError>;

    /// The live records at `keys` that exist, as `(key, record)` in no particular order:
    /// one read for many keys (the SQL backends answer it with one query).
    ///
    /// # Errors
    /// I/O errors.
    fn get_many(&self, tenant: &str, keys: &[String]) -> Result<Vec<(String, Record)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(record) = self.get(tenant, key)? {
                out.push((key.clone(), record));
            }
        }
        Ok(out)
    }

    /// Every live record whose key starts with `prefix`, ordered by key.
    ///
    /// # Errors
    /// I/O errors.
    fn scan(&self, tenant: &str, prefix: &str) -> Result<Vec<(String, Record)>, StoreError>;

    /// Journal events of run `run` with a sequence number greater than `after`, in order.
    ///
    /// # Errors
    /// I/O errors.
    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<Value>)>, StoreError>;
}
