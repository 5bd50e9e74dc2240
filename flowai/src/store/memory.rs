//! The in-memory [`Store`]: per runtime handle, gone with the process.

use super::{now_ms, Op, Record, Store, StoreError};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Tables {
    kv: BTreeMap<(String, String), Record>,
    events: HashMap<(String, String), Vec<Arc<Value>>>,
}

/// The default store: everything in this process's memory, tenant-partitioned.
#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

fn live(record: &Record, now: i64) -> bool {
    record.expires_at_ms.is_none_or(|at| at > now)
}

impl Tables {
    fn check(&self, tenant: &str, op: &Op, now: i64) -> Result<(), StoreError> {
        let conflict = |key: &str| StoreError::Conflict { key: key.into() };
        match op {
            Op::Put { .. } => Ok(()),
            Op::Insert { key, .. } => match self.kv.get(&(tenant.into(), key.clone())) {
                Some(r) if live(r, now) => Err(conflict(key)),
                _ => Ok(()),
            },
            Op::Replace { key, version, .. } => match self.kv.get(&(tenant.into(), key.clone())) {
                Some(r) if live(r, now) && r.version == *version => Ok(()),
                _ => Err(conflict(key)),
            },
            Op::Event { run, seq, .. } => {
                let len = self
                    .events
                    .get(&(tenant.into(), run.clone()))
                    .map_or(0, Vec::len);
                // Appends only: the next free slot, nothing else.
                if *seq == len as u64 + 1 {
                    Ok(())
                } else {
                    Err(conflict(&format!("run:{run}#{seq}")))
                }
            }
        }
    }

    fn apply(&mut self, tenant: &str, op: Op) {
        match op {
            Op::Put {
                key,
                value,
                expires_at_ms,
            } => {
                let slot = (tenant.to_string(), key);
                let version = self.kv.get(&slot).map_or(0, |r| r.version) + 1;
                self.kv.insert(
                    slot,
                    Record {
                        value,
                        version,
                        expires_at_ms,
                    },
                );
            }
            Op::Insert { key, value } => {
                let record = Record {
                    value,
                    version: 1,
                    expires_at_ms: None,
                };
                self.kv.insert((tenant.to_string(), key), record);
            }
            Op::Replace {
                key,
                version,
                value,
            } => {
                let record = Record {
                    value,
                    version: version + 1,
                    expires_at_ms: None,
                };
                self.kv.insert((tenant.to_string(), key), record);
            }
            Op::Event { run, event, .. } => {
                self.events
                    .entry((tenant.to_string(), run))
                    .or_default()
                    .push(event);
            }
        }
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
        let mut tables = self.tables.lock().expect("memory store");
        // Event ops of one batch take consecutive slots: check them against a running count.
        let mut pending: HashMap<String, u64> = HashMap::new();
        for op in &ops {
            if let Op::Event { run, seq, .. } = op {
                let base = tables
                    .events
                    .get(&(tenant.to_string(), run.clone()))
                    .map_or(0, |v| v.len() as u64);
                let next = pending.entry(run.clone()).or_insert(base);
                if *seq != *next + 1 {
                    return Err(StoreError::Conflict {
                        key: format!("run:{run}#{seq}"),
                    });
                }
                *next += 1;
            } else {
                tables.check(tenant, op, now)?;
            }
        }
        for op in ops {
            tables.apply(tenant, op);
        }
        Ok(())
    }

    fn get(&self, tenant: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let tables = self.tables.lock().expect("memory store");
        let now = now_ms();
        Ok(tables
            .kv
            .get(&(tenant.to_string(), key.to_string()))
            .filter(|r| live(r, now))
            .cloned())
    }

    fn scan(&self, tenant: &str, prefix: &str) -> Result<Vec<(String, Record)>, StoreError> {
        let tables = self.tables.lock().expect("memory store");
        let now = now_ms();
        let start = (tenant.to_string(), prefix.to_string());
        Ok(tables
            .kv
            .range(start..)
            .take_while(|((t, k), _)| t == tenant && k.starts_with(prefix))
            .filter(|(_, r)| live(r, now))
            .map(|((_, k), r)| (k.clone(), r.clone()))
            .collect())
    }

    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<Value>)>, StoreError> {
        let tables = self.tables.lock().expect("memory store");
        let Some(events) = tables.events.get(&(tenant.to_string(), run.to_string())) else {
            return Ok(Vec::new());
        };
        let skip = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(events
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, e)| (i as u64 + 1, e.clone()))
            .collect())
    }
}
