//! Opening stores from their descriptors (placeholder until the SQLite and Postgres
//! backends land: memory only).

use super::{MemoryStore, Store, StoreError};
use serde_json::Value;
use std::sync::Arc;

/// Opens a `storage_factories` entry.
///
/// # Errors
/// [`StoreError::Config`] for kinds this build cannot open.
pub fn open_factory(spec: &Value, _scope: &str) -> Result<Arc<dyn Store>, StoreError> {
    match spec["kind"].as_str() {
        Some("memory") => Ok(Arc::new(MemoryStore::default())),
        other => Err(StoreError::Config(format!("unsupported kind {other:?}"))),
    }
}

/// Opens a `data_environment.kv` descriptor.
///
/// # Errors
/// [`StoreError::Config`] for kinds this build cannot open.
pub fn open_kv_descriptor(desc: &Value) -> Result<Arc<dyn Store>, StoreError> {
    open_factory(desc, "kv")
}
