//! Which stores a runtime keeps its state in: `storage_factories` (`kv`, `plans`, `memory`;
//! setting only `kv` puts everything there), the `kv` of a `data_environment`, or a store a
//! Rust caller opened. Memory when nothing is configured.

use super::RuntimeOptions;
use crate::spec::{RuntimeSpec, SpecError, StorageFactorySpec};
use crate::store::{open, MemoryStore, Store};
use serde_json::Value;
use std::sync::Arc;

pub(crate) struct Stores {
    pub(crate) kv: Arc<dyn Store>,
    pub(crate) plans: Arc<dyn Store>,
    pub(crate) memory: Arc<dyn Store>,
}

fn factory(spec: &StorageFactorySpec, scope: &str) -> Result<Arc<dyn Store>, SpecError> {
    let mut value = serde_json::json!({"kind": spec.kind});
    if let Some(config) = &spec.config {
        value["config"] = config.clone();
    }
    open::open_factory(&value, scope)
        .map_err(|e| SpecError::Storage(format!("invalid storage_factories.{scope}: {e}")))
}

/// The data environment's `kv` store. Its other parts (catalog, target database) belong to
/// the catalog toolkit, which this release does not have.
fn data_environment_kv(env: &Value) -> Result<Option<Arc<dyn Store>>, SpecError> {
    for key in [
        "catalog",
        "catalogSearch",
        "targetDatabase",
        "targetDatabaseUrl",
    ] {
        if env.get(key).is_some() {
            return Err(SpecError::Unsupported(format!("data_environment.{key}")));
        }
    }
    let Some(kv) = env.get("kv") else {
        return Ok(None);
    };
    open::open_kv_descriptor(kv)
        .map(Some)
        .map_err(|e| SpecError::Storage(format!("invalid data_environment: {e}")))
}

pub(crate) fn open(spec: &RuntimeSpec, options: &RuntimeOptions) -> Result<Stores, SpecError> {
    if let Some(store) = &options.store {
        return Ok(Stores {
            kv: store.clone(),
            plans: store.clone(),
            memory: store.clone(),
        });
    }
    let factories = &spec.storage_factories;
    let from_env = match &options.data_environment {
        Some(env) => data_environment_kv(env)?,
        None => None,
    };
    let kv = match (&factories.kv, from_env) {
        (Some(f), _) => factory(f, "kv")?,
        (None, Some(store)) => store,
        (None, None) => Arc::new(MemoryStore::default()),
    };
    let or_kv = |f: &Option<StorageFactorySpec>, scope| match f {
        Some(f) => factory(f, scope),
        None => Ok(kv.clone()),
    };
    Ok(Stores {
        plans: or_kv(&factories.plans, "plans")?,
        memory: or_kv(&factories.memory, "memory")?,
        kv,
    })
}
