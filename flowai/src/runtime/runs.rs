//! The run journal's side of [`Runtime`]: listing, reading and following runs, and how a
//! run starts (its record) or continues (its record, journal and recorded steps).

use super::{Entry, Follow, RunRequest, Runtime, RuntimeInner};
use crate::spec::Role;
use crate::store::StoreError;
use crate::trace::{RunFilter, RunInfo, RunLog, RunStatus};
use serde_json::Value;

impl Runtime {
    /// The runs of this tenant matching `filter`, oldest first.
    ///
    /// # Errors
    /// The store's.
    pub fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunInfo>, StoreError> {
        crate::trace::record::list(&*self.inner.store, self.resource_id(), filter)
    }

    /// Whether run `run_id` was started by this runtime and its record is not durable yet
    /// (it is written with the run's first commit, once its stream is polled):
    /// [`Runtime::run_info`] does not know it yet, and [`Runtime::follow`] waits for it.
    pub fn run_is_starting(&self, run_id: &str) -> bool {
        self.inner.starting.contains(run_id)
    }

    /// The record of run `run_id`.
    ///
    /// # Errors
    /// The store's.
    pub fn run_info(&self, run_id: &str) -> Result<Option<RunInfo>, StoreError> {
        crate::trace::record::get(&*self.inner.store, self.resource_id(), run_id)
    }

    /// The journaled events of run `run_id` with a sequence number above `after`, in order,
    /// as `(seq, wire event)`.
    ///
    /// # Errors
    /// The store's.
    pub fn run_events(&self, run_id: &str, after: u64) -> Result<Vec<(u64, Value)>, StoreError> {
        crate::trace::events(&*self.inner.store, self.resource_id(), run_id, after)
    }

    /// Follows run `run_id` from a consumer other than the one driving it (another task, or
    /// another process sharing a durable store): yields `(seq, wire event)` for every
    /// journaled event with a sequence number above `after`, in order and each once, first
    /// those already committed, then new ones as they are committed (the store is read every
    /// [`Follow::poll_interval`], 50 ms by default). Items are the wire events
    /// [`Runtime::run_events`] returns, which equal `StreamPart::to_value` of what the
    /// driving consumer received.
    ///
    /// A run is in the store once its first event is committed (no later than when its
    /// driving consumer receives it). A run this runtime started whose stream nobody
    /// polled yet is not ([`Runtime::run_is_starting`]): `follow` waits for it, and ends
    /// with nothing if the run is dropped before it ran. Another runtime (another
    /// process) knows such a run only once it is in the store.
    ///
    /// The stream ends once the run is `completed`, `failed` or `cancelled` and every event
    /// was yielded. A `paused` run counts as live, as in Python's `follow_run`: the follower
    /// waits through the approval and ends only after the run is continued to its end. A run
    /// left open for good (paused and never resumed, or driven by a process that died) is
    /// followed until the stream is dropped; bound it with a timeout if that matters.
    ///
    /// # Errors
    /// The stream's first and only item is [`FollowError::NotFound`](super::FollowError::NotFound) for an unknown run;
    /// a store failure is yielded as [`FollowError::Store`](super::FollowError::Store) and ends the stream (follow again
    /// from [`Follow::last_seq`]).
    ///
    /// # Examples
    ///
    /// A finished run, followed from sequence number 2 (see [`Follow`] for a live run):
    ///
    /// ```
    /// use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity};
    /// use futures::StreamExt;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
    ///     .agent(AgentSpec::specialist("worker", "claude-sonnet-4-6", "You echo."))
    ///     .interpreter(InterpreterKind::Scripted)
    ///     .build()
    ///     .unwrap();
    /// let stream = runtime.run_specialist("worker", "hello", None);
    /// let run_id = stream.run_id().unwrap().to_string();
    /// let seen = stream.count().await as u64;
    ///
    /// let seqs: Vec<u64> = runtime.follow(&run_id, 2).map(|item| item.unwrap().0).collect().await;
    /// assert_eq!(seqs, (3..=seen).collect::<Vec<_>>());
    /// let missing = runtime.follow("no-such-run", 0).next().await.unwrap();
    /// assert_eq!(missing.unwrap_err().to_string(), "run not found: no-such-run");
    /// # });
    /// ```
    pub fn follow(&self, run_id: &str, after: u64) -> Follow {
        Follow::new(
            self.inner.store.clone(),
            self.inner.starting.clone(),
            self.resource_id(),
            run_id,
            after,
        )
    }
}

/// A new run: its entry agent and its record (written with the run's first commit). The
/// prompt and thread move from the request into the record: a run holds them once.
pub(super) fn begin(
    rt: &RuntimeInner,
    log: &RunLog,
    request: &mut RunRequest,
) -> Result<(usize, RunInfo), String> {
    let entry = resolve_entry(rt, &request.entry)?;
    let thread = request
        .thread_id
        .take()
        .unwrap_or_else(|| format!("specialist-{}", uuid::Uuid::new_v4()));
    let now = crate::plan::now();
    let info = RunInfo {
        run_id: log.id.clone(),
        thread_id: thread,
        agent: rt.agents[entry].spec.name.clone(),
        entry: match request.entry {
            Entry::Coordinator => "query".into(),
            Entry::Specialist(_) => "specialist".into(),
        },
        prompt: std::mem::take(&mut request.prompt),
        status: RunStatus::Running,
        created_at: now.clone(),
        updated_at: now,
    };
    log.register(info.op());
    Ok((entry, info))
}

/// A run to continue: its record, journal length and recorded steps.
pub(super) fn resumed(
    rt: &RuntimeInner,
    log: &RunLog,
    run_id: &str,
) -> Result<(usize, RunInfo), String> {
    let tenant = &rt.spec.tenant.resource_id;
    let info = crate::trace::record::get(&*rt.store, tenant, run_id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("run not found: {run_id}"))?;
    if !info.status.is_open() {
        return Err(format!(
            "run {run_id} is {}; only running or paused runs can be resumed (read its events with run_events)",
            info.status.as_str()
        ));
    }
    let entry = match info.entry.as_str() {
        "query" => Entry::Coordinator,
        _ => Entry::Specialist(info.agent.clone()),
    };
    let index = resolve_entry(rt, &entry)?;
    log.load().map_err(|e| e.to_string())?;
    Ok((index, info))
}

pub(super) fn resolve_entry(rt: &RuntimeInner, entry: &Entry) -> Result<usize, String> {
    match entry {
        Entry::Coordinator => rt
            .agents
            .iter()
            .position(|a| a.spec.role == Role::Coordinator)
            .ok_or_else(|| "no coordinator agent registered in the spec".to_string()),
        Entry::Specialist(name) => match rt.by_name.get(name) {
            None => Err(format!("specialist '{name}' not found")),
            Some(&i) if rt.agents[i].spec.role != Role::Specialist => {
                Err(format!("agent '{name}' is not a specialist"))
            }
            Some(&i) => Ok(i),
        },
    }
}
