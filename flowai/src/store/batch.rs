//! The backend-independent half of a SQL [`Store::commit`](super::Store::commit): which
//! rows a batch must read first, the memory backend's checks against that snapshot, and
//! the final row each touched key ends up with.
//!
//! The memory backend checks every conditional op against the state *before* the batch
//! (journal slots against a running count) and then applies the ops in order. The SQL
//! backends reproduce that exactly: read the prior rows (locking them), check with
//! [`plan`], then write one final row per key and the new journal rows.

use super::{Op, StoreError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A key's row before the batch (expired rows included: `Put` counts their version).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prior {
    pub version: i64,
    pub expires_at_ms: Option<i64>,
}

/// How a key's final row is written.
#[derive(Debug, PartialEq)]
pub(crate) enum Write {
    /// Only `Put`s touched the key: upsert, bumping whatever version is there by `bumps`.
    /// Needs no prior read, and is safe against a concurrent writer.
    Bump(i64),
    /// The key had a row before the batch (read and locked): overwrite it.
    Update,
    /// The key had no row before the batch: create it; if another writer created it
    /// meanwhile, the batch's condition is lost ([`StoreError::Conflict`]).
    Create,
}

/// The final state of one key.
#[derive(Debug)]
pub(crate) struct KeyWrite {
    pub key: String,
    pub value: Arc<Value>,
    /// The final version (ignored for [`Write::Bump`], which computes it in SQL).
    pub version: i64,
    pub expires_at_ms: Option<i64>,
    pub write: Write,
}

/// One new journal row.
#[derive(Debug)]
pub(crate) struct EventWrite<'a> {
    pub run: &'a str,
    pub seq: u64,
    pub event: &'a Arc<crate::event::StreamPart>,
}

/// What a batch writes.
#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    pub kv: Vec<KeyWrite>,
    pub events: Vec<EventWrite<'a>>,
}

/// The keys whose prior rows the batch must read (those with an `Insert` or a
/// `Replace`), and the runs whose last journal slot it must read, in first-seen order.
pub(crate) fn reads(ops: &[Op]) -> (Vec<&str>, Vec<&str>) {
    let mut keys: Vec<&str> = Vec::new();
    let mut runs: Vec<&str> = Vec::new();
    for op in ops {
        match op {
            Op::Insert { key, .. } | Op::Replace { key, .. } => {
                if !keys.contains(&key.as_str()) {
                    keys.push(key);
                }
            }
            Op::Event { run, .. } => {
                if !runs.contains(&run.as_str()) {
                    runs.push(run);
                }
            }
            Op::Put { .. } => {}
        }
    }
    (keys, runs)
}

/// The sequence number of each run's first `Event` op, in first-seen order.
pub(crate) fn first_seqs(ops: &[Op]) -> Vec<(&str, u64)> {
    let mut out: Vec<(&str, u64)> = Vec::new();
    for op in ops {
        if let Op::Event { run, seq, .. } = op {
            if !out.iter().any(|(r, _)| *r == run.as_str()) {
                out.push((run, *seq));
            }
        }
    }
    out
}

fn live(prior: &Prior, now: i64) -> bool {
    prior.expires_at_ms.is_none_or(|at| at > now)
}

fn conflict(key: &str) -> StoreError {
    StoreError::Conflict { key: key.into() }
}

/// Checks `ops` against the prior rows of the keys and the last journal slot of the
/// runs named by [`reads`] (absent from the maps: no row / empty journal), like the
/// memory backend, and returns what to write.
///
/// # Errors
/// [`StoreError::Conflict`] for the first op whose condition fails.
pub(crate) fn plan<'a>(
    ops: &'a [Op],
    prior: &HashMap<&str, Prior>,
    last_seq: &HashMap<&str, u64>,
    now: i64,
) -> Result<Plan<'a>, StoreError> {
    let mut next: HashMap<&str, u64> = HashMap::new();
    for op in ops {
        match op {
            Op::Put { .. } => {}
            Op::Insert { key, .. } => {
                if prior.get(key.as_str()).is_some_and(|p| live(p, now)) {
                    return Err(conflict(key));
                }
            }
            Op::Replace { key, version, .. } => match prior.get(key.as_str()) {
                Some(p) if live(p, now) && p.version == *version => {}
                _ => return Err(conflict(key)),
            },
            Op::Event { run, seq, .. } => {
                let base = last_seq.get(run.as_str()).copied().unwrap_or(0);
                let slot = next.entry(run.as_str()).or_insert(base);
                if slot.checked_add(1) != Some(*seq) {
                    return Err(conflict(&format!("run:{run}#{seq}")));
                }
                *slot = *seq;
            }
        }
    }

    let mut out = Plan::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for op in ops {
        let (key, value) = match op {
            Op::Event { run, seq, event } => {
                out.events.push(EventWrite {
                    run,
                    seq: *seq,
                    event,
                });
                continue;
            }
            Op::Put { key, value, .. }
            | Op::Insert { key, value }
            | Op::Replace { key, value, .. } => (key.as_str(), value),
        };
        let i = *index.entry(key).or_insert_with(|| {
            let (version, write) = match prior.get(key) {
                Some(p) => (p.version, Write::Update),
                None if last_is_put_only(ops, key) => (0, Write::Bump(0)),
                None => (0, Write::Create),
            };
            out.kv.push(KeyWrite {
                key: key.to_string(),
                value: value.clone(),
                version,
                expires_at_ms: None,
                write,
            });
            out.kv.len() - 1
        });
        let w = &mut out.kv[i];
        w.value = value.clone();
        match op {
            Op::Put { expires_at_ms, .. } => {
                w.version += 1;
                w.expires_at_ms = *expires_at_ms;
                if let Write::Bump(n) = &mut w.write {
                    *n += 1;
                }
            }
            Op::Insert { .. } => {
                w.version = 1;
                w.expires_at_ms = None;
            }
            Op::Replace { version, .. } => {
                w.version = version + 1;
                w.expires_at_ms = None;
            }
            Op::Event { .. } => {}
        }
    }
    Ok(out)
}

/// One row of a SQL journal (schema version 2): the events `first..=last` of one run that
/// one commit appended, as a JSON array. A run's journal is a few rows, not one per event:
/// a commit pays for one row insert however many events it carries.
#[derive(Debug, PartialEq)]
pub(crate) struct JournalRow<'a> {
    pub run: &'a str,
    pub first: u64,
    pub last: u64,
    /// `[event, ...]`: the events' wire JSON, in sequence order.
    pub events: String,
}

/// Packs a plan's journal writes into one row per run, in first-seen order. [`plan`] has
/// checked that each run's events are consecutive, so each row's range has no gap.
pub(crate) fn journal_rows<'a>(events: &[EventWrite<'a>]) -> Vec<JournalRow<'a>> {
    let mut rows: Vec<JournalRow<'a>> = Vec::new();
    for e in events {
        let text = e.event.to_string();
        match rows.iter_mut().find(|r| r.run == e.run) {
            Some(row) => {
                row.events.push(',');
                row.events.push_str(&text);
                row.last = e.seq;
            }
            None => {
                let mut events = String::with_capacity(text.len() * 8);
                events.push('[');
                events.push_str(&text);
                rows.push(JournalRow {
                    run: e.run,
                    first: e.seq,
                    last: e.seq,
                    events,
                });
            }
        }
    }
    for row in &mut rows {
        row.events.push(']');
    }
    rows
}

/// The events after `after` of one journal row whose first event is `first`.
///
/// # Errors
/// A message for [`StoreError::Corrupt`] when the row is not a JSON array.
pub(crate) fn unpack(
    first: u64,
    events: &str,
    after: u64,
    out: &mut Vec<(u64, Arc<Value>)>,
) -> Result<(), String> {
    let values: Vec<Value> = serde_json::from_str(events)
        .map_err(|e| format!("a journal row of events from {first} is not a JSON array: {e}"))?;
    for (seq, value) in (first..).zip(values) {
        if seq > after {
            out.push((seq, Arc::new(value)));
        }
    }
    Ok(())
}

/// Whether only `Put`s touch `key` in `ops`.
fn last_is_put_only(ops: &[Op], key: &str) -> bool {
    !ops.iter()
        .any(|op| matches!(op, Op::Insert { key: k, .. } | Op::Replace { key: k, .. } if k == key))
}

/// The smallest string greater than every string starting with `prefix`, for an
/// index range scan (`key >= prefix AND key < upper`) in byte (code point) order.
/// `None` when there is none (empty prefix, or only `char::MAX`s).
pub(crate) fn prefix_upper(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut code = u32::from(last) + 1;
        while code <= u32::from(char::MAX) {
            if let Some(c) = char::from_u32(code) {
                chars.push(c);
                return Some(chars.into_iter().collect());
            }
            code += 1; // skip the surrogate gap
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefix_upper_bounds_the_prefix_range() {
        assert_eq!(prefix_upper(""), None);
        assert_eq!(prefix_upper("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_upper("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_upper("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper("\u{10FFFF}"), None);
    }

    #[test]
    fn checks_use_the_state_before_the_batch() {
        let ops = vec![
            Op::put("k", json!(1)),
            Op::Replace {
                key: "k".into(),
                version: 3,
                value: Arc::new(json!(2)),
            },
            Op::put("k", json!(3)),
        ];
        let prior = HashMap::from([(
            "k",
            Prior {
                version: 3,
                expires_at_ms: None,
            },
        )]);
        let plan = plan(&ops, &prior, &HashMap::new(), 0).unwrap();
        assert_eq!(plan.kv.len(), 1);
        assert_eq!(plan.kv[0].version, 5);
        assert_eq!(plan.kv[0].write, Write::Update);
        assert_eq!(*plan.kv[0].value, json!(3));
    }

    #[test]
    fn journal_rows_pack_each_runs_events_and_unpack_after_a_seq() {
        let part = |n: i64| {
            Arc::new(crate::event::StreamPart::Custom {
                event_type: "n".into(),
                data: json!(n),
            })
        };
        let ops = vec![
            Op::Event {
                run: "a".into(),
                seq: 4,
                event: part(4),
            },
            Op::Event {
                run: "b".into(),
                seq: 1,
                event: part(1),
            },
            Op::Event {
                run: "a".into(),
                seq: 5,
                event: part(5),
            },
        ];
        let last = HashMap::from([("a", 3)]);
        let plan = plan(&ops, &HashMap::new(), &last, 0).unwrap();
        let rows = journal_rows(&plan.events);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].run, rows[0].first, rows[0].last), ("a", 4, 5));
        assert_eq!((rows[1].run, rows[1].first, rows[1].last), ("b", 1, 1));
        let mut out = Vec::new();
        unpack(rows[0].first, &rows[0].events, 4, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, 5);
        assert_eq!(out[0].1["data"], json!(5));
        assert!(unpack(1, "{}", 0, &mut out).unwrap_err().contains("from 1"));
    }

    #[test]
    fn put_only_keys_bump_without_a_read() {
        let ops = vec![Op::put("a", json!(1)), Op::put("a", json!(2))];
        let (keys, runs) = reads(&ops);
        assert!(keys.is_empty() && runs.is_empty());
        let plan = plan(&ops, &HashMap::new(), &HashMap::new(), 0).unwrap();
        assert_eq!(plan.kv[0].write, Write::Bump(2));
    }
}
