//! Following a run's journal from a consumer other than the one driving it: [`Follow`],
//! the stream behind [`Runtime::follow`](super::Runtime::follow).
//!
//! The journal is the only thing followed, so the driving consumer may be another task,
//! another `Runtime` on the same store, or another process sharing a durable store. The
//! store is polled (events become visible once committed, no later than when the driving
//! consumer receives them); semantics match Python's `flowai_harness.runs.follow_run`.

use crate::store::{Store, StoreError};
use crate::trace::starting::Starting;
use futures::Stream;
use serde_json::Value;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// How long [`Follow`] waits between two reads of an open run's journal by default (as
/// Python's `follow_run`).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Why [`Follow`] stopped with an error. It is the stream's last item.
///
/// # Examples
///
/// ```
/// use flowai::runtime::FollowError;
///
/// let e = FollowError::NotFound("r-1".into());
/// assert_eq!(e.to_string(), "run not found: r-1");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// No run with this id (in this runtime's tenant) is in the store.
    #[error("run not found: {0}")]
    NotFound(String),
    /// The store could not be read. Follow again from [`Follow::last_seq`] once it is back.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a [`Follow`] stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing read yet: a missing run record is [`FollowError::NotFound`].
    Start,
    /// The run was running or paused at the last read: read again after the interval.
    Open,
    /// The run was finished at the last read (end once the events read are yielded), or an
    /// error was yielded.
    Done,
}

/// The journaled events of one run, as `(seq, wire event)`, from a sequence number on:
/// first those already committed, then new ones as they are committed, until the run is
/// finished and every event was yielded. Returned by
/// [`Runtime::follow`](super::Runtime::follow), which documents the semantics.
///
/// Cancel safe: dropping a pending `next()` loses nothing. Polling needs a Tokio runtime
/// with the time driver enabled (it sleeps between reads).
///
/// # Examples
///
/// A follower reattached while a tool call is still running gets every event the driving
/// consumer gets, with contiguous sequence numbers, and ends when the run does:
///
/// ```
/// use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
/// use futures::StreamExt;
/// use serde_json::json;
/// use std::sync::Arc;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let release = Arc::new(tokio::sync::Notify::new());
/// let gate = release.clone();
/// let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
///     .agent(AgentSpec::specialist("worker", "claude-sonnet-4-6", "You wait."))
///     .tool("worker", ToolDef::new("wait", json!({"type": "object"})), move |_args, _ctx| {
///         let gate = gate.clone();
///         async move {
///             gate.notified().await;
///             Ok(json!("done"))
///         }
///     })
///     .interpreter(InterpreterKind::Scripted)
///     .build()
///     .unwrap();
/// let mut stream = runtime.run_specialist("worker", r#"{"tool": "wait", "args": {}}"#, None);
/// let run_id = stream.run_id().unwrap().to_string();
/// // The run is in the store once its first event is committed.
/// let first = stream.next().await.unwrap();
/// let driver = tokio::spawn(async move {
///     let rest: Vec<StreamPart> = stream.collect().await;
///     [vec![first], rest].concat()
/// });
///
/// let mut follow = runtime.follow(&run_id, 0);
/// let mut followed = Vec::new();
/// while let Some(item) = follow.next().await {
///     let (seq, event) = item.unwrap();
///     if event["type"] == "tool-invocation" && event["state"] == "call" {
///         release.notify_one(); // the run is still in its tool call
///     }
///     followed.push((seq, event));
/// }
/// let seen: Vec<_> = driver.await.unwrap().iter().map(StreamPart::to_value).collect();
/// let (seqs, events): (Vec<u64>, Vec<_>) = followed.into_iter().unzip();
/// assert_eq!(seqs, (1..=seen.len() as u64).collect::<Vec<_>>());
/// assert_eq!(events, seen);
/// assert_eq!(follow.last_seq(), seen.len() as u64);
/// # });
/// ```
pub struct Follow {
    store: Arc<dyn Store>,
    /// This runtime's new runs without a durable record yet: one of them is waited for.
    starting: Arc<Starting>,
    tenant: String,
    run_id: String,
    /// The last sequence number yielded (or the caller's `after`).
    after: u64,
    interval: Duration,
    /// Read and not yet yielded, in order.
    pending: VecDeque<(u64, Value)>,
    phase: Phase,
    /// Set while the run is open: the next read waits for it.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Follow {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        starting: Arc<Starting>,
        tenant: &str,
        run_id: &str,
        after: u64,
    ) -> Self {
        Self {
            store,
            starting,
            tenant: tenant.to_string(),
            run_id: run_id.to_string(),
            after,
            interval: DEFAULT_POLL_INTERVAL,
            pending: VecDeque::new(),
            phase: Phase::Start,
            sleep: None,
        }
    }

    /// Sets how long to wait between two reads of an open run's journal (default
    /// [`DEFAULT_POLL_INTERVAL`]).
    ///
    /// ```
    /// # fn f(runtime: flowai::Runtime) {
    /// let follow = runtime.follow("run-id", 0).poll_interval(std::time::Duration::from_millis(5));
    /// # drop(follow); }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The followed run's id.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The sequence number of the last event yielded (the `after` given to
    /// [`Runtime::follow`](super::Runtime::follow) before the first one): where to follow
    /// again from after an error.
    pub fn last_seq(&self) -> u64 {
        self.after
    }

    /// Reads the run's status, then its events after the last one read. The status comes
    /// first: every event committed before it is then in the events read.
    fn read(&mut self) -> Result<(), FollowError> {
        // Before the record: a run that stops starting has its record in the store by then.
        let starting = self.starting.contains(&self.run_id);
        let info = crate::trace::record::get(&*self.store, &self.tenant, &self.run_id)?;
        let open = match info {
            Some(info) => info.status.is_open(),
            // Started here, not committed yet: wait for it.
            None if starting => true,
            None if self.phase == Phase::Start => {
                return Err(FollowError::NotFound(self.run_id.clone()))
            }
            // The record went away (its store was cleared), or the run ended before its
            // first commit: nothing more will come.
            None => false,
        };
        let events = self.store.events(&self.tenant, &self.run_id, self.after)?;
        let last = self.after;
        self.pending.extend(
            events
                .into_iter()
                .filter(|(seq, _)| *seq > last)
                .map(|(seq, event)| (seq, Arc::unwrap_or_clone(event))),
        );
        self.phase = if open { Phase::Open } else { Phase::Done };
        Ok(())
    }

    /// Starts the wait before the next read.
    fn arm(&mut self) {
        let deadline = Instant::now() + self.interval;
        match &mut self.sleep {
            Some(sleep) => sleep.as_mut().reset(deadline),
            None => self.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
    }
}

impl Stream for Follow {
    type Item = Result<(u64, Value), FollowError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some((seq, event)) = this.pending.pop_front() {
                this.after = seq;
                return Poll::Ready(Some(Ok((seq, event))));
            }
            match this.phase {
                Phase::Done => {
                    this.sleep = None;
                    return Poll::Ready(None);
                }
                Phase::Open => {
                    if let Some(sleep) = &mut this.sleep {
                        if sleep.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                }
                Phase::Start => {}
            }
            if let Err(e) = this.read() {
                this.phase = Phase::Done;
                this.sleep = None;
                return Poll::Ready(Some(Err(e)));
            }
            if this.phase == Phase::Open {
                // Timed from the read, so a slow consumer of a long batch reads again at once.
                this.arm();
            }
        }
    }
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follow")
            .field("run_id", &self.run_id)
            .field("last_seq", &self.after)
            .field("poll_interval", &self.interval)
            .finish_non_exhaustive()
    }
}
