//! The in-memory [`Store`]: per runtime handle, gone with the process.

use super::{now_ms, Op, Record, Store, StoreError};
use crate::event::StreamPart;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A stored record. The many small per-run records (run, steps, approvals, memory turns)
/// are kept as compact JSON text, a fraction of the memory of a `serde_json::Value` tree
/// (every JSON object is a B-tree node of several hundred bytes); other values (plans,
/// references, which may be large) stay shared as they are.
#[derive(Clone)]
enum Stored {
    Shared(Arc<Value>),
    Text(Box<str>),
}

#[derive(Clone)]
struct Entry {
    value: Stored,
    version: i64,
    expires_at_ms: Option<i64>,
}

impl Entry {
    fn new(key: &str, value: Arc<Value>, version: i64, expires_at_ms: Option<i64>) -> Self {
        const COMPACT: [&str; 4] = ["run:", "step:", "approval:", "agent-memory:"];
        let value = if COMPACT.iter().any(|p| key.starts_with(p)) {
            match serde_json::to_string(&*value) {
                Ok(text) => Stored::Text(text.into_boxed_str()),
                Err(_) => Stored::Shared(value),
            }
        } else {
            Stored::Shared(value)
        };
        Self {
            value,
            version,
            expires_at_ms,
        }
    }

    fn record(&self) -> Record {
        let value = match &self.value {
            Stored::Shared(v) => v.clone(),
            Stored::Text(t) => Arc::new(serde_json::from_str(t).unwrap_or(Value::Null)),
        };
        Record {
            value,
            version: self.version,
            expires_at_ms: self.expires_at_ms,
        }
    }
}

/// One tenant's records and journals.
#[derive(Default)]
struct Tenant {
    kv: BTreeMap<String, Entry>,
    /// Compact wire JSON per event: a third of the memory of the typed event.
    events: HashMap<String, Vec<Box<str>>>,
}

/// The default store: everything in this process's memory, tenant-partitioned. Journal
/// events are kept as compact JSON text and parsed when read.
#[derive(Default)]
pub struct MemoryStore {
    tenants: Mutex<HashMap<String, Tenant>>,
}

fn live(record: &Entry, now: i64) -> bool {
    record.expires_at_ms.is_none_or(|at| at > now)
}

fn wire(event: &StreamPart) -> Box<str> {
    serde_json::to_string(event)
        .unwrap_or_default()
        .into_boxed_str()
}

fn conflict(key: &str) -> StoreError {
    StoreError::Conflict { key: key.into() }
}

impl Tenant {
    /// Checks every conditional op against the state before the batch; event ops of one
    /// batch take consecutive slots of their run.
    fn check(&self, ops: &[Op], now: i64) -> Result<(), StoreError> {
        let mut next: HashMap<&str, u64> = HashMap::new();
        for op in ops {
            match op {
                Op::Put { .. } => {}
                Op::Insert { key, .. } => {
                    if self.kv.get(key).is_some_and(|r| live(r, now)) {
                        return Err(conflict(key));
                    }
                }
                Op::Replace { key, version, .. } => match self.kv.get(key) {
                    Some(r) if live(r, now) && r.version == *version => {}
                    _ => return Err(conflict(key)),
                },
                Op::Event { run, seq, .. } => {
                    let slot = next.entry(run.as_str()).or_insert_with(|| {
                        self.events.get(run.as_str()).map_or(0, |v| v.len() as u64)
                    });
                    if *seq != *slot + 1 {
                        return Err(conflict(&format!("run:{run}#{seq}")));
                    }
                    *slot += 1;
                }
            }
        }
        Ok(())
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Put {
                key,
                value,
                expires_at_ms,
            } => {
                let version = self.kv.get(&key).map_or(0, |r| r.version) + 1;
                let entry = Entry::new(&key, value, version, expires_at_ms);
                self.kv.insert(key, entry);
            }
            Op::Insert { key, value } => {
                let entry = Entry::new(&key, value, 1, None);
                self.kv.insert(key, entry);
            }
            Op::Replace {
                key,
                version,
                value,
            } => {
                let entry = Entry::new(&key, value, version + 1, None);
                self.kv.insert(key, entry);
            }
            Op::Event { run, event, .. } => {
                let text = wire(&event);
                match self.events.get_mut(&run) {
                    Some(journal) => journal.push(text),
                    None => {
                        self.events.insert(run, vec![text]);
                    }
                }
            }
        }
    }
}

impl MemoryStore {
    fn tenants(&self) -> std::sync::MutexGuard<'_, HashMap<String, Tenant>> {
        self.tenants.lock().expect("memory store")
    }
}

impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory store".into()
    }

    fn is_durable(&self) -> bool {
        false
    }

    fn commit(&self, tenant: &str, ops: Vec<Op>) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tenants = self.tenants();
        if !tenants.contains_key(tenant) {
            tenants.insert(tenant.to_string(), Tenant::default());
        }
        let t = tenants.get_mut(tenant).expect("inserted above");
        t.check(&ops, now)?;
        for op in ops {
            t.apply(op);
        }
        Ok(())
    }

    fn get(&self, tenant: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let now = now_ms();
        let tenants = self.tenants();
        Ok(tenants
            .get(tenant)
            .and_then(|t| t.kv.get(key))
            .filter(|r| live(r, now))
            .map(Entry::record))
    }

    fn scan(&self, tenant: &str, prefix: &str) -> Result<Vec<(String, Record)>, StoreError> {
        let now = now_ms();
        let tenants = self.tenants();
        let Some(t) = tenants.get(tenant) else {
            return Ok(Vec::new());
        };
        Ok(t.kv
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(_, r)| live(r, now))
            .map(|(k, r)| (k.clone(), r.record()))
            .collect())
    }

    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<Value>)>, StoreError> {
        let tenants = self.tenants();
        let Some(journal) = tenants.get(tenant).and_then(|t| t.events.get(run)) else {
            return Ok(Vec::new());
        };
        let skip = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(journal
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, e)| {
                let value = serde_json::from_str(e).unwrap_or(Value::Null);
                (i as u64 + 1, Arc::new(value))
            })
            .collect())
    }
}
