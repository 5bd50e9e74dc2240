//! References (runtime-behavior §11): tenant-salted, content-addressed handles to values
//! that stay out of model context, with a small glimpse the model reasons from.
//!
//! [`References`] is the tenant-bound API a [`crate::Runtime`] and a
//! [`crate::ToolContext`] expose; it validates values against their kind's schema and
//! computes ids, and keeps the values in a [`ReferenceStore`] (in memory per runtime
//! handle in this release; the trait is where a shared SQLite store slots in).
//!
//! # Examples
//!
//! ```
//! use flowai::spec::ReferenceSpec;
//! use flowai::{Runtime, TenantIdentity};
//! use serde_json::json;
//!
//! let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
//!     .reference(ReferenceSpec {
//!         name: "ProductSet".into(),
//!         schema: json!({"type": "object", "required": ["ids"]}),
//!         ttl_ms: None,
//!     })
//!     .build()
//!     .unwrap();
//! let handle = runtime
//!     .create_reference("ProductSet", json!({"ids": ["p1"]}), Some(json!({"count": 1})))
//!     .unwrap();
//! assert_eq!(handle["id"].as_str().unwrap().len(), 24);
//! let id = handle["id"].as_str().unwrap();
//! assert_eq!(runtime.resolve_reference("ProductSet", id).unwrap(), json!({"ids": ["p1"]}));
//! assert_eq!(runtime.reference_glimpse("ProductSet", id).unwrap(), json!({"count": 1}));
//! ```

mod store;
pub(crate) mod tools;

pub use store::{KvReferenceStore, MemoryReferenceStore, ReferenceStore, StoredReference};

use crate::spec::{validate::Compiled, ReferenceSpec, SpecError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A reference operation's failure, with the contract's exact message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The kind is not declared in `RuntimeSpec.references`.
    #[error("unknown reference kind: {0}")]
    UnknownKind(String),
    /// The value does not satisfy the kind's schema; the list is pre-formatted.
    #[error("schema validation failed for kind '{kind}': [{errors}]")]
    Schema {
        /// The reference kind.
        kind: String,
        /// Comma-separated, double-quoted validator messages.
        errors: String,
    },
    /// The store holding references failed.
    #[error("{0}")]
    Store(String),
    /// Unknown, expired, or another tenant's id.
    #[error("reference not found: kind={kind} id={id}")]
    NotFound {
        /// The reference kind.
        kind: String,
        /// The id looked up.
        id: String,
    },
}

struct Kind {
    validator: jsonschema::Validator,
    ttl: Option<Duration>,
}

/// The reference API bound to one tenant. Cheap to clone.
#[derive(Clone)]
pub struct References {
    owner: String,
    kinds: Arc<HashMap<String, Kind>>,
    store: Arc<dyn ReferenceStore>,
}

/// The id of `value` owned by tenant `owner`: the first 24 hex characters of SHA-256 over
/// the compact, key-sorted JSON of `{"content": value, "owner": owner}`.
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// let a = flowai::reference::content_id("acme", &json!({"b": 1, "a": 2}));
/// assert_eq!(a, flowai::reference::content_id("acme", &json!({"a": 2, "b": 1})));
/// assert_ne!(a, flowai::reference::content_id("globex", &json!({"a": 2, "b": 1})));
/// assert_eq!(a.len(), 24);
/// ```
pub fn content_id(owner: &str, value: &Value) -> String {
    let mut hasher = Sha256::new();
    // `serde_json::Map` is a BTreeMap here, so every level serializes with sorted keys.
    let mut writer = HashWriter(&mut hasher);
    serde_json::to_writer(&mut writer, &json!({"content": value, "owner": owner}))
        .expect("JSON values always serialize");
    hasher.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Streams serialized JSON into the hasher so large values are never copied into a string.
struct HashWriter<'h>(&'h mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl References {
    /// The declared kinds over `store`, with the validators construction check 7 compiled.
    pub(crate) fn new(
        owner: &str,
        specs: &[ReferenceSpec],
        mut validators: HashMap<String, Compiled>,
        store: Arc<dyn ReferenceStore>,
    ) -> Result<Self, SpecError> {
        let mut kinds = HashMap::new();
        for r in specs {
            let validator = validators.remove(&r.name).ok_or_else(|| {
                SpecError::ReferenceRegistry(format!(
                    "schema of kind '{}' was not compiled",
                    r.name
                ))
            })?;
            let ttl = r.ttl_ms.map(Duration::from_millis);
            kinds.insert(r.name.clone(), Kind { validator, ttl });
        }
        Ok(Self {
            owner: owner.to_string(),
            kinds: Arc::new(kinds),
            store,
        })
    }

    fn kind(&self, kind: &str) -> Result<&Kind, ReferenceError> {
        self.kinds
            .get(kind)
            .ok_or_else(|| ReferenceError::UnknownKind(kind.to_string()))
    }

    /// Validates and stores `value`; returns `{"glimpse", "id", "kind"}`. Re-creating an
    /// existing reference overwrites it, refreshing its TTL and glimpse.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownKind`] or [`ReferenceError::Schema`] (nothing stored).
    pub fn create(
        &self,
        kind: &str,
        value: Value,
        glimpse: Value,
    ) -> Result<Value, ReferenceError> {
        let spec = self.kind(kind)?;
        let errors: Vec<String> = spec
            .validator
            .iter_errors(&value)
            .map(|e| Value::String(e.to_string()).to_string())
            .collect();
        if !errors.is_empty() {
            return Err(ReferenceError::Schema {
                kind: kind.to_string(),
                errors: errors.join(", "),
            });
        }
        let id = content_id(&self.owner, &value);
        let now = SystemTime::now();
        let stored = StoredReference {
            kind: kind.to_string(),
            resource_id: self.owner.clone(),
            value: Arc::new(value),
            glimpse: glimpse.clone(),
            created_at: now,
            expires_at: spec.ttl.map(|ttl| now + ttl),
        };
        self.store
            .put(&self.owner, kind, &id, stored)
            .map_err(ReferenceError::Store)?;
        Ok(json!({"glimpse": glimpse, "id": id, "kind": kind}))
    }

    /// The live stored entry of `(kind, id)` for this tenant.
    ///
    /// # Errors
    /// [`ReferenceError::UnknownKind`]; [`ReferenceError::NotFound`] when unknown, expired
    /// or owned by another tenant.
    pub fn get(&self, kind: &str, id: &str) -> Result<StoredReference, ReferenceError> {
        self.kind(kind)?;
        self.store
            .get(&self.owner, kind, id, SystemTime::now())
            .map_err(ReferenceError::Store)?
            .ok_or_else(|| ReferenceError::NotFound {
                kind: kind.to_string(),
                id: id.to_string(),
            })
    }

    /// The stored value of `(kind, id)`.
    ///
    /// # Errors
    /// As [`References::get`].
    pub fn resolve(&self, kind: &str, id: &str) -> Result<Value, ReferenceError> {
        self.get(kind, id).map(|r| (*r.value).clone())
    }

    /// The stored glimpse of `(kind, id)`.
    ///
    /// # Errors
    /// As [`References::get`].
    pub fn glimpse(&self, kind: &str, id: &str) -> Result<Value, ReferenceError> {
        self.get(kind, id).map(|r| r.glimpse)
    }
}
