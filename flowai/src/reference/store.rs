//! Where reference values live. [`MemoryReferenceStore`] keeps them per runtime handle; a
//! durable store implements the same [`ReferenceStore`] trait.

use crate::store::{Op, Store};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One stored reference (runtime-behavior §11.1 step 7).
#[derive(Clone, Debug)]
pub struct StoredReference {
    /// The reference kind.
    pub kind: String,
    /// The owning tenant's resource id.
    pub resource_id: String,
    /// The value, shared so large values are not copied on read.
    pub value: Arc<Value>,
    /// The glimpse.
    pub glimpse: Value,
    /// When it was (last) created.
    pub created_at: SystemTime,
    /// When it stops resolving; `None` never expires.
    pub expires_at: Option<SystemTime>,
}

/// Storage of references keyed by (tenant, kind, id).
///
/// # Examples
///
/// ```
/// use flowai::reference::{MemoryReferenceStore, ReferenceStore, StoredReference};
/// use std::sync::Arc;
/// use std::time::SystemTime;
///
/// let store = MemoryReferenceStore::default();
/// let now = SystemTime::now();
/// let entry = StoredReference {
///     kind: "K".into(), resource_id: "acme".into(), value: Arc::new(serde_json::json!(1)),
///     glimpse: serde_json::json!({}), created_at: now, expires_at: None,
/// };
/// store.put("acme", "K", "abc", entry).unwrap();
/// assert!(store.get("acme", "K", "abc", now).unwrap().is_some());
/// assert!(store.get("globex", "K", "abc", now).unwrap().is_none());
/// ```
pub trait ReferenceStore: Send + Sync + 'static {
    /// Stores (or overwrites) an entry.
    ///
    /// # Errors
    /// The backing store's failure, as text.
    fn put(&self, tenant: &str, kind: &str, id: &str, entry: StoredReference)
        -> Result<(), String>;
    /// The entry, unless missing or expired at `now`.
    ///
    /// # Errors
    /// The backing store's failure, as text.
    fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        now: SystemTime,
    ) -> Result<Option<StoredReference>, String>;
}

type Key = (String, String, String);

/// An in-memory [`ReferenceStore`]; expired entries are dropped when looked up.
#[derive(Default)]
pub struct MemoryReferenceStore {
    entries: Mutex<HashMap<Key, StoredReference>>,
}

impl ReferenceStore for MemoryReferenceStore {
    fn put(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        entry: StoredReference,
    ) -> Result<(), String> {
        let key = (tenant.to_string(), kind.to_string(), id.to_string());
        let mut entries = self.entries.lock().expect("reference store lock");
        entries.insert(key, entry);
        Ok(())
    }

    fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        now: SystemTime,
    ) -> Result<Option<StoredReference>, String> {
        let key = (tenant.to_string(), kind.to_string(), id.to_string());
        let mut entries = self.entries.lock().expect("reference store lock");
        let Some(entry) = entries.get(&key) else {
            return Ok(None);
        };
        if entry.expires_at.is_some_and(|at| at <= now) {
            entries.remove(&key);
            return Ok(None);
        }
        Ok(Some(entry.clone()))
    }
}

/// References kept in a runtime [`Store`]: the value at `ref:<kind>:<id>` and the glimpse
/// and metadata at `ref-meta:<kind>:<id>`, both with the kind's TTL, so two runtimes of
/// different tenants on one shared store stay isolated by the store's tenant partition.
pub struct KvReferenceStore {
    store: Arc<dyn Store>,
}

impl KvReferenceStore {
    /// References in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

fn millis(at: SystemTime) -> i64 {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

impl ReferenceStore for KvReferenceStore {
    fn put(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        entry: StoredReference,
    ) -> Result<(), String> {
        let expires_at_ms = entry.expires_at.map(millis);
        let meta = json!({
            "createdAt": millis(entry.created_at),
            "glimpse": entry.glimpse,
            "kind": entry.kind,
            "resourceId": entry.resource_id,
        });
        let ops = vec![
            Op::Put {
                key: format!("ref:{kind}:{id}"),
                value: entry.value,
                expires_at_ms,
            },
            Op::Put {
                key: format!("ref-meta:{kind}:{id}"),
                value: Arc::new(meta),
                expires_at_ms,
            },
        ];
        self.store.commit(tenant, ops).map_err(|e| e.to_string())
    }

    fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
        now: SystemTime,
    ) -> Result<Option<StoredReference>, String> {
        let read = |key: String| self.store.get(tenant, &key).map_err(|e| e.to_string());
        let Some(meta) = read(format!("ref-meta:{kind}:{id}"))? else {
            return Ok(None);
        };
        let Some(value) = read(format!("ref:{kind}:{id}"))? else {
            return Ok(None);
        };
        let expires_at = value
            .expires_at_ms
            .map(|ms| UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
        if expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        let created = meta.value["createdAt"].as_u64().unwrap_or(0);
        Ok(Some(StoredReference {
            kind: kind.to_string(),
            resource_id: meta.value["resourceId"]
                .as_str()
                .unwrap_or(tenant)
                .to_string(),
            value: value.value,
            glimpse: meta.value["glimpse"].clone(),
            created_at: UNIX_EPOCH + Duration::from_millis(created),
            expires_at,
        }))
    }
}
