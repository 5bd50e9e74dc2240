//! The run journal (ARCHITECTURE.md `trace`): every event of every run with its sequence
//! number, the run record, and the recorded steps that make a run resumable.
//!
//! A run writes through a `RunLog`. Events and step records are buffered and committed
//! in one store transaction at the run's durable points: before an effect (a host tool, the
//! action dispatcher) starts, when an approval gate opens, when the run ends, and whenever
//! the consumer is about to receive an event that is not yet durable. So every event a
//! consumer saw can be replayed from the journal.
//!
//! Resuming replays the run from its start: steps that were recorded return their recorded
//! outcome without running again, and events whose sequence number is already in the
//! journal are not emitted again. The run then continues where it stood, and its new events
//! continue the same sequence.

pub(crate) mod memo;
pub(crate) mod record;
pub(crate) mod starting;

pub use record::{RunFilter, RunInfo, RunStatus};

use crate::event::StreamPart;
use crate::store::{Op, Store, StoreError};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The key of a run record.
pub(crate) fn run_key(run: &str) -> String {
    format!("run:{run}")
}

/// The key prefix of a run's recorded steps.
pub(crate) fn step_prefix(run: &str) -> String {
    format!("step:{run}:")
}

fn step_key(run: &str, n: u64) -> String {
    format!("step:{run}:{n:08}")
}

#[derive(Default)]
struct LogState {
    /// The last sequence number given out.
    seq: u64,
    /// Replay: events up to this number are already in the journal.
    skip_until: u64,
    /// The number the next step takes.
    next_step: u64,
    /// Replay: the steps recorded before, by number.
    recorded: HashMap<u64, Value>,
    /// Writes waiting for the next commit, in order.
    buffer: Vec<Op>,
    /// Why the run cannot go on durably (the store failed, or another process took it over).
    halted: Option<StoreError>,
    /// The run record of a new run until a commit made it durable.
    unregistered: Option<Op>,
    /// The last commit of the buffer failed (the store is unavailable or misbehaving).
    failing: bool,
}

/// Whether a failed commit means another process continued the run: a journal slot or an
/// effect's start was taken.
fn fenced(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict { key } if key.starts_with("run:") || key.starts_with("step:"))
}

/// The journal writer of one run.
pub(crate) struct RunLog {
    pub(crate) id: String,
    tenant: String,
    store: Arc<dyn Store>,
    state: Mutex<LogState>,
    dirty: AtomicBool,
    /// A new run's entry in its runtime's [`starting::Starting`], until its record is
    /// durable (or the run is gone).
    starting: Option<Arc<starting::Starting>>,
}

impl RunLog {
    pub(crate) fn new(store: Arc<dyn Store>, tenant: &str, id: String) -> Arc<Self> {
        Self::with(store, tenant, id, None)
    }

    /// As [`RunLog::new`], for a new run: listed in `starting` until its record is durable.
    pub(crate) fn starting(
        store: Arc<dyn Store>,
        tenant: &str,
        id: String,
        starting: Arc<starting::Starting>,
    ) -> Arc<Self> {
        starting.add(&id);
        Self::with(store, tenant, id, Some(starting))
    }

    fn with(
        store: Arc<dyn Store>,
        tenant: &str,
        id: String,
        starting: Option<Arc<starting::Starting>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            id,
            tenant: tenant.to_string(),
            store,
            state: Mutex::default(),
            dirty: AtomicBool::new(false),
            starting,
        })
    }

    /// A commit succeeded: if it carried the run record, the run is no longer starting.
    fn committed(&self, state: &mut LogState) {
        if state.unregistered.take().is_some() {
            if let Some(starting) = &self.starting {
                starting.remove(&self.id);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().expect("run log")
    }

    /// Prepares a resume: the journal's length and the recorded steps.
    pub(crate) fn load(&self) -> Result<(), StoreError> {
        let journaled = self.store.events(&self.tenant, &self.id, 0)?.len() as u64;
        let prefix = step_prefix(&self.id);
        let steps = self.store.scan(&self.tenant, &prefix)?;
        let mut state = self.lock();
        state.skip_until = journaled;
        for (key, record) in steps {
            if let Ok(n) = key[prefix.len()..].parse::<u64>() {
                state.recorded.insert(n, (*record.value).clone());
            }
        }
        Ok(())
    }

    /// Numbers the event; false when it is already in the journal (replay), so it must not
    /// be sent again.
    pub(crate) fn on_event(&self, part: &StreamPart) -> bool {
        let mut state = self.lock();
        state.seq += 1;
        if state.seq <= state.skip_until {
            return false;
        }
        let op = Op::Event {
            run: self.id.clone(),
            seq: state.seq,
            event: Arc::new(part.clone()),
        };
        state.buffer.push(op);
        self.dirty.store(true, Ordering::Release);
        true
    }

    /// Where the run stands: the last sequence number and the next step number.
    pub(crate) fn mark(&self) -> Mark {
        let state = self.lock();
        Mark {
            seq: state.seq,
            step: state.next_step,
        }
    }

    /// The events emitted and steps taken since `mark`.
    pub(crate) fn since(&self, mark: Mark) -> Span {
        let now = self.mark();
        Span {
            events: now.seq - mark.seq,
            steps: now.step - mark.step,
        }
    }

    /// Replay of a recorded step: the events it emitted are in the journal already and the
    /// steps it took are recorded; both are passed over.
    pub(crate) fn skip(&self, record: &Value) {
        let mut state = self.lock();
        state.seq += record["events"].as_u64().unwrap_or(0);
        let steps = record["steps"].as_u64().unwrap_or(0);
        for n in state.next_step..state.next_step + steps {
            state.recorded.remove(&n);
        }
        state.next_step += steps;
    }

    /// The next step's number and, on replay, what it recorded.
    ///
    /// A replay that reaches a step with no record has caught up with the run: nothing the
    /// run did after that step's start was committed, except events the step itself
    /// emitted before it was cut short (a consumer saw them, so they were made durable).
    /// Those stay in the journal, and the step's new events are numbered after them.
    pub(crate) fn step(&self) -> (u64, Option<Value>) {
        let mut state = self.lock();
        let n = state.next_step;
        state.next_step += 1;
        let recorded = state.recorded.remove(&n);
        if recorded.is_none() && state.seq < state.skip_until {
            state.seq = state.skip_until;
        }
        (n, recorded)
    }

    /// The write that records step `n`.
    pub(crate) fn step_op(&self, n: u64, value: Value) -> Op {
        Op::put(step_key(&self.id, n), value)
    }

    /// Buffers the record of a new run; it also goes with the first [`RunLog::commit_ahead`].
    pub(crate) fn register(&self, record: Op) {
        let mut state = self.lock();
        state.unregistered = Some(record.clone());
        state.buffer.push(record);
        self.dirty.store(true, Ordering::Release);
    }

    /// The durable start of effect step `n`: a create-if-absent, so two processes that
    /// continue one run cannot both start the effect (the loser is fenced).
    pub(crate) fn start_op(&self, n: u64) -> Op {
        Op::insert(step_key(&self.id, n), json!({"phase": "started"}))
    }

    /// Commits `ops` alone, ahead of what is buffered (with the run record, the first time):
    /// an effect's durable start costs a two-row commit. Buffered events and step records
    /// stay buffered and are committed, in order, at the next durable point; until then
    /// no consumer has seen those events, and a resume replays them. After a failed
    /// commit of the buffer, or with `flush`, everything is committed with `ops` instead.
    pub(crate) fn commit_ahead(&self, ops: Vec<Op>, flush: bool) -> Result<(), StoreError> {
        let mut state = self.lock();
        if flush || state.failing {
            // After a failed commit of the buffer the store is in trouble, and the effect
            // starts only once everything before it is durable.
            return self.commit_locked(&mut state, ops);
        }
        if let Some(e) = &state.halted {
            return Err(e.clone());
        }
        let mut batch = Vec::with_capacity(ops.len() + 1);
        batch.extend(state.unregistered.clone());
        batch.extend(ops);
        match self.store.commit(&self.tenant, batch) {
            Ok(()) => {
                self.committed(&mut state);
                Ok(())
            }
            Err(e) => {
                if fenced(&e) {
                    state.halted = Some(e.clone());
                }
                Err(e)
            }
        }
    }

    /// Buffers a write for the next commit.
    pub(crate) fn push(&self, op: Op) {
        self.lock().buffer.push(op);
        self.dirty.store(true, Ordering::Release);
    }

    /// Commits everything buffered plus `extra` in one transaction. On failure nothing is
    /// written; the buffer is kept for a retry unless the run was taken over (a conflict on
    /// a journal slot), which halts the run.
    pub(crate) fn commit(&self, extra: Vec<Op>) -> Result<(), StoreError> {
        let mut state = self.lock();
        self.commit_locked(&mut state, extra)
    }

    fn commit_locked(&self, state: &mut LogState, extra: Vec<Op>) -> Result<(), StoreError> {
        if let Some(e) = &state.halted {
            return Err(e.clone());
        }
        let mut ops = std::mem::take(&mut state.buffer);
        let buffered = ops.len();
        ops.extend(extra);
        if ops.is_empty() {
            return Ok(());
        }
        self.dirty.store(false, Ordering::Release);
        match self.store.commit(&self.tenant, ops.clone()) {
            Ok(()) => {
                self.committed(state);
                state.failing = false;
                Ok(())
            }
            Err(e) => {
                if fenced(&e) {
                    state.halted = Some(e.clone());
                } else {
                    state.failing = true;
                    ops.truncate(buffered);
                    ops.append(&mut state.buffer);
                    state.buffer = ops;
                    self.dirty.store(true, Ordering::Release);
                }
                Err(e)
            }
        }
    }

    /// Commits what is buffered, if anything (the consumer is about to see an event).
    ///
    /// # Errors
    /// The commit's, or why the run was halted.
    pub(crate) fn flush_if_dirty(&self) -> Result<(), StoreError> {
        if self.dirty.load(Ordering::Acquire) {
            self.commit(Vec::new())
        } else {
            Ok(())
        }
    }

    /// Stops the run from writing: its durable state is no longer ours to extend.
    pub(crate) fn halt(&self, error: StoreError) {
        self.lock().halted.get_or_insert(error);
    }

    /// Why the run cannot go on, if it cannot.
    pub(crate) fn halted(&self) -> Option<StoreError> {
        self.lock().halted.clone()
    }

    /// The store the journal lives in.
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

impl Drop for RunLog {
    fn drop(&mut self) {
        // A run gone before its first commit will never have a record.
        if let Some(starting) = &self.starting {
            starting.remove(&self.id);
        }
    }
}

/// The events of run `run` after sequence number `after`, as `{"seq", "event"}` pairs.
pub(crate) fn events(
    store: &dyn Store,
    tenant: &str,
    run: &str,
    after: u64,
) -> Result<Vec<(u64, Value)>, StoreError> {
    Ok(store
        .events(tenant, run, after)?
        .into_iter()
        .map(|(seq, e)| (seq, (*e).clone()))
        .collect())
}

/// A position in a run: the last sequence number and the next step number.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    seq: u64,
    step: u64,
}

/// What a step spanned: the events it emitted and the steps nested in it.
#[derive(Clone, Copy, Default)]
pub(crate) struct Span {
    pub(crate) events: u64,
    pub(crate) steps: u64,
}

/// What a step recorded: its outcome and what it spanned, so a replay can pass over it.
pub(crate) fn recorded(value: &Value, span: Span) -> Value {
    json!({"events": span.events, "steps": span.steps, "v": value})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn text(t: &str) -> StreamPart {
        StreamPart::Text { text: t.into() }
    }

    #[test]
    fn a_step_cut_short_after_journaling_events_continues_after_them() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let first = RunLog::new(store.clone(), "t", "r".into());
        // Step 0 is recorded with the event it emitted; step 1 emits two events, which a
        // consumer sees (so they are committed), and is cut short before it is recorded.
        let (n, _) = first.step();
        assert!(first.on_event(&text("a")));
        first.push(first.step_op(
            n,
            recorded(
                &json!("v0"),
                Span {
                    events: 1,
                    steps: 0,
                },
            ),
        ));
        let _ = first.step();
        assert!(first.on_event(&text("b")) && first.on_event(&text("c")));
        first.commit(Vec::new()).unwrap();

        let resumed = RunLog::new(store.clone(), "t", "r".into());
        resumed.load().unwrap();
        let (_, r0) = resumed.step();
        resumed.skip(&r0.expect("step 0 was recorded"));
        let (_, r1) = resumed.step();
        assert!(r1.is_none());
        assert!(
            resumed.on_event(&text("b2")),
            "the new answer is not swallowed"
        );
        resumed.commit(Vec::new()).unwrap();
        let seqs: Vec<u64> = store
            .events("t", "r", 0)
            .unwrap()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(seqs, vec![1, 2, 3, 4]);
    }
}
