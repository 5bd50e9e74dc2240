//! How long the memory store keeps finished runs. It lives as long as its runtime handle,
//! which may be a long-lived server's: keeping every run's journal and records forever
//! would grow without bound (about 1 KB per run). So it keeps every unfinished run (running
//! or paused: they may still be resumed) and the most recent finished ones; an older
//! finished run's journal, run record and recorded steps are dropped. Approval records
//! (the audit trail) and thread memory are kept.

use super::Tenant;
use serde_json::Value;
use std::collections::VecDeque;

/// Finished runs a [`super::MemoryStore`] keeps per tenant unless told otherwise.
pub const DEFAULT_RETAINED_RUNS: usize = 10_000;

/// The ids of a tenant's finished runs, oldest first.
#[derive(Default)]
pub(super) struct Finished(VecDeque<String>);

impl Tenant {
    /// Notes a write of `key`: a run record whose status is final finishes its run.
    pub(super) fn note(&mut self, key: &str, value: &Value) {
        let Some(run) = key.strip_prefix("run:") else {
            return;
        };
        if matches!(
            value["status"].as_str(),
            Some("completed" | "failed" | "cancelled")
        ) {
            self.finished.0.push_back(run.to_string());
        }
    }

    /// Drops the oldest finished runs beyond `keep`.
    pub(super) fn evict(&mut self, keep: usize) {
        while self.finished.0.len() > keep {
            let Some(run) = self.finished.0.pop_front() else {
                return;
            };
            self.events.remove(&run);
            self.kv.remove(&format!("run:{run}"));
            let steps = format!("step:{run}:");
            let keys: Vec<String> = self
                .kv
                .range::<str, _>((
                    std::ops::Bound::Included(steps.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(k, _)| k.starts_with(&steps))
                .map(|(k, _)| k.clone())
                .collect();
            for key in keys {
                self.kv.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{MemoryStore, Op, Store};
    use serde_json::json;
    use std::sync::Arc;

    fn finish(store: &MemoryStore, run: &str, status: &str) {
        let event = Op::Event {
            run: run.into(),
            seq: 1,
            event: Arc::new(crate::event::StreamPart::error("e")),
        };
        let ops = vec![
            event,
            Op::put(format!("step:{run}:00000000"), json!({"v": 1})),
            Op::put(format!("run:{run}"), json!({"status": status})),
        ];
        store.commit("t", ops).unwrap();
    }

    #[test]
    fn the_oldest_finished_runs_go_and_unfinished_ones_stay() {
        let store = MemoryStore::with_retention(2);
        finish(&store, "paused", "paused");
        for run in ["a", "b", "c"] {
            finish(&store, run, "completed");
        }
        store
            .commit("t", vec![Op::put("approval:x", json!({"runId": "a"}))])
            .unwrap();
        let kept = |run: &str| {
            store.get("t", &format!("run:{run}")).unwrap().is_some()
                && !store.events("t", run, 0).unwrap().is_empty()
                && !store.scan("t", &format!("step:{run}:")).unwrap().is_empty()
        };
        let gone = |run: &str| {
            store.get("t", &format!("run:{run}")).unwrap().is_none()
                && store.events("t", run, 0).unwrap().is_empty()
                && store.scan("t", &format!("step:{run}:")).unwrap().is_empty()
        };
        assert!(gone("a"), "the oldest finished run is dropped");
        assert!(kept("b") && kept("c"), "the two most recent stay");
        assert!(kept("paused"), "an unfinished run is never dropped");
        assert!(store.get("t", "approval:x").unwrap().is_some());
    }
}
