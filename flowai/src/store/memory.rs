//! The in-memory [`Store`]: per runtime handle, gone with the process.

mod retention;

pub use retention::DEFAULT_RETAINED_RUNS;

use super::batch::{self, EventWrite};
use super::{now_ms, Op, Record, Store, StoreError};
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

/// One run's journal, packed as the SQL backends pack it ([`batch::journal_rows`]): the
/// events one commit appended are one compact JSON array, a fraction of the memory of one
/// text (let alone one typed event) per event.
#[derive(Default)]
struct Journal {
    /// The last sequence number.
    last: u64,
    /// `(first seq, [event, ...])` per commit, in sequence order, with no spare capacity.
    rows: Vec<(u64, Box<str>)>,
}

impl Journal {
    fn append(&mut self, first: u64, last: u64, events: String) {
        self.rows.reserve_exact(1);
        self.rows.push((first, events.into_boxed_str()));
        self.last = last;
    }

    /// The events after `after`, unpacked from the rows that hold them.
    fn after(&self, after: u64) -> Result<Vec<(u64, Arc<Value>)>, String> {
        let mut out = Vec::new();
        for (i, (first, events)) in self.rows.iter().enumerate() {
            let last = self.rows.get(i + 1).map_or(self.last, |next| next.0 - 1);
            if last > after {
                batch::unpack(*first, events, after, &mut out)?;
            }
        }
        Ok(out)
    }
}

/// One tenant's records and journals.
#[derive(Default)]
struct Tenant {
    kv: BTreeMap<String, Entry>,
    events: HashMap<String, Journal>,
    finished: retention::Finished,
}

/// The default store: everything in this process's memory, tenant-partitioned. Journal
/// events are kept as compact JSON text, one array per commit and run, and parsed when read.
/// It keeps every unfinished run and the most recent finished ones
/// ([`DEFAULT_RETAINED_RUNS`] per tenant, or [`MemoryStore::with_retention`]); see
/// `retention`.
pub struct MemoryStore {
    tenants: Mutex<HashMap<String, Tenant>>,
    retained_runs: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_retention(DEFAULT_RETAINED_RUNS)
    }
}

fn live(record: &Entry, now: i64) -> bool {
    record.expires_at_ms.is_none_or(|at| at > now)
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
                    let slot = next
                        .entry(run.as_str())
                        .or_insert_with(|| self.events.get(run.as_str()).map_or(0, |j| j.last));
                    if *seq != *slot + 1 {
                        return Err(conflict(&format!("run:{run}#{seq}")));
                    }
                    *slot += 1;
                }
            }
        }
        Ok(())
    }

    /// Appends the checked batch's events, one row per run.
    fn append(&mut self, ops: &[Op]) {
        let writes: Vec<EventWrite<'_>> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Event { run, seq, event } => Some(EventWrite {
                    run,
                    seq: *seq,
                    event,
                }),
                _ => None,
            })
            .collect();
        for row in batch::journal_rows(&writes) {
            match self.events.get_mut(row.run) {
                Some(journal) => journal.append(row.first, row.last, row.events),
                None => {
                    let mut journal = Journal::default();
                    journal.append(row.first, row.last, row.events);
                    self.events.insert(row.run.to_string(), journal);
                }
            }
        }
    }

    /// Applies one key write (events are appended by [`Tenant::append`]).
    fn apply(&mut self, op: Op) {
        match op {
            Op::Put {
                key,
                value,
                expires_at_ms,
            } => {
                self.note(&key, &value);
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
            Op::Event { .. } => {}
        }
    }
}

impl MemoryStore {
    /// A store that keeps, per tenant, every unfinished run and the `finished` most recent
    /// finished ones (their journals, run records and recorded steps); older finished runs
    /// are dropped. Approval records and thread memory are always kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use flowai::store::{MemoryStore, Op, Store};
    /// use serde_json::json;
    ///
    /// let store = MemoryStore::with_retention(1);
    /// for run in ["r1", "r2"] {
    ///     let record = Op::put(format!("run:{run}"), json!({"status": "completed"}));
    ///     store.commit("acme", vec![record]).unwrap();
    /// }
    /// assert!(store.get("acme", "run:r1").unwrap().is_none());
    /// assert!(store.get("acme", "run:r2").unwrap().is_some());
    /// ```
    pub fn with_retention(finished: usize) -> Self {
        Self {
            tenants: Mutex::default(),
            retained_runs: finished,
        }
    }

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
        t.append(&ops);
        for op in ops {
            t.apply(op);
        }
        t.evict(self.retained_runs);
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
        journal.after(after).map_err(|detail| StoreError::Corrupt {
            store: self.describe(),
            detail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::StreamPart;
    use serde_json::json;

    fn event(run: &str, seq: u64) -> Op {
        Op::Event {
            run: run.into(),
            seq,
            event: Arc::new(StreamPart::Custom {
                event_type: "n".into(),
                data: json!(seq),
            }),
        }
    }

    #[test]
    fn each_commit_is_one_row_per_run_and_reads_cross_rows() {
        let store = MemoryStore::default();
        store
            .commit("t", vec![event("a", 1), event("b", 1), event("a", 2)])
            .unwrap();
        store.commit("t", vec![event("a", 3)]).unwrap();
        store
            .commit(
                "t",
                vec![event("a", 4), Op::put("k", json!(1)), event("a", 5)],
            )
            .unwrap();
        {
            let tenants = store.tenants();
            let a = &tenants["t"].events["a"];
            let firsts: Vec<u64> = a.rows.iter().map(|r| r.0).collect();
            assert_eq!((firsts, a.last), (vec![1, 3, 4], 5));
            assert_eq!(a.rows.capacity(), a.rows.len());
            assert_eq!(
                &*a.rows[2].1,
                r#"[{"data":4,"event_type":"n","type":"custom"},{"data":5,"event_type":"n","type":"custom"}]"#
            );
            assert_eq!(tenants["t"].events["b"].rows.len(), 1);
        }
        for after in 0..=6 {
            let read = store.events("t", "a", after).unwrap();
            let seqs: Vec<u64> = read.iter().map(|e| e.0).collect();
            assert_eq!(seqs, (after + 1..=5).collect::<Vec<_>>(), "after {after}");
            assert!(read.iter().all(|(seq, e)| e["data"] == json!(seq)));
        }
        assert_eq!(
            store.commit("t", vec![event("a", 5)]),
            Err(conflict("run:a#5"))
        );
        assert_eq!(store.events("t", "a", 0).unwrap().len(), 5);
    }
}
