//! Where reference values live. [`MemoryReferenceStore`] keeps them per runtime handle; a
//! durable store implements the same [`ReferenceStore`] trait.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

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
/// store.put("acme", "K", "abc", entry);
/// assert!(store.get("acme", "K", "abc", now).is_some());
/// assert!(store.get("globex", "K", "abc", now).is_none());
/// ```
pub trait ReferenceStore: Send + Sync + 'static {
    /// Stores (or overwrites) an entry.
    fn put(&self, tenant: &str, kind: &str, id: &str, entry: StoredReference);
    /// The entry, unless missing or expired at `now`.
    fn get(&self, tenant: &str, kind: &str, id: &str, now: SystemTime) -> Option<StoredReference>;
}

type Key = (String, String, String);

/// An in-memory [`ReferenceStore`]; expired entries are dropped when looked up.
#[derive(Default)]
pub struct MemoryReferenceStore {
    entries: Mutex<HashMap<Key, StoredReference>>,
}

impl ReferenceStore for MemoryReferenceStore {
    fn put(&self, tenant: &str, kind: &str, id: &str, entry: StoredReference) {
        let key = (tenant.to_string(), kind.to_string(), id.to_string());
        let mut entries = self.entries.lock().expect("reference store lock");
        entries.insert(key, entry);
    }

    fn get(&self, tenant: &str, kind: &str, id: &str, now: SystemTime) -> Option<StoredReference> {
        let key = (tenant.to_string(), kind.to_string(), id.to_string());
        let mut entries = self.entries.lock().expect("reference store lock");
        let entry = entries.get(&key)?;
        if entry.expires_at.is_some_and(|at| at <= now) {
            entries.remove(&key);
            return None;
        }
        Some(entry.clone())
    }
}
