//! Stream plumbing: a run is a plain future that writes its events into a bounded channel;
//! [`RunStream`] is the consumer's handle, which drives the run inline while it reads.
//!
//! The run never assumes it runs on a tokio worker: a consumer polls it on its own thread
//! (the Python thread, or the Rust task that iterates the stream), and a front end may move
//! it onto tokio with [`RunStream::take_run`] when it truly waits on I/O
//! (`PYTHON-BRIDGE.md`). Events stay in the channel until the consumer takes them, so a
//! cancelled read never loses one, and a full channel applies back-pressure to the run.
#![cfg(feature = "runtime")]

use super::StreamPart;
use crate::trace::RunLog;
use futures::future::BoxFuture;
use futures::Stream;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};
use tokio_util::sync::CancellationToken;

/// Events a run may buffer before it waits for its consumer.
pub const CHANNEL_CAPACITY: usize = 32;

/// The sending half a run writes its events to.
#[derive(Clone)]
pub struct Emitter {
    // Boxed: tokio's channel allocates its slots in blocks of 32, so a paused run holds
    // 32 pointers instead of 32 events' worth of memory.
    tx: mpsc::Sender<Box<StreamPart>>,
    waiting_on_host: Arc<AtomicBool>,
    log: Option<Arc<RunLog>>,
}

/// While alive, the run says it waits on its host (an approval decision), not on I/O.
pub(crate) struct HostWait(Arc<AtomicBool>);

impl Drop for HostWait {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Emitter {
    /// Sends one event, waiting while the consumer's buffer is full. A consumer that went
    /// away is not an error: the run keeps its own state consistent either way.
    ///
    /// The returned future is a few words whatever the event (it holds the event boxed, and
    /// the channel's send future only once the buffer was full): every frame of a run that
    /// awaits an emit reserves room for one, paused runs included.
    pub fn emit(&self, part: StreamPart) -> impl Future<Output = ()> + Send + '_ {
        let part = Box::new(part);
        async move {
            if let Some(log) = &self.log {
                // Replay: an event already in the journal was delivered before.
                if !log.on_event(&part) {
                    return;
                }
            }
            if let Err(TrySendError::Full(part)) = self.tx.try_send(part) {
                let _ = Box::pin(self.tx.send(part)).await;
            }
        }
    }

    /// Sends an event that is not part of the run's journal: the refusal to start or resume
    /// it (an unknown agent or run, a run already finished), which belongs to no run.
    pub(crate) async fn refuse(&self, part: StreamPart) {
        let _ = self.tx.send(Box::new(part)).await;
    }

    /// Marks the run as waiting on its host until the guard drops: a front end that drives
    /// the run inline keeps it there (the decision comes from the consumer's own thread)
    /// instead of moving it to an I/O executor.
    pub(crate) fn wait_on_host(&self) -> HostWait {
        self.waiting_on_host.store(true, Ordering::Release);
        HostWait(self.waiting_on_host.clone())
    }
}

/// What [`RunStream::try_recv`] found in the buffer.
#[derive(Debug)]
pub enum Buffered {
    /// The next event.
    Item(StreamPart),
    /// Nothing buffered yet; the run may still produce more.
    Empty,
    /// The run finished and every event was taken.
    Closed,
}

/// The consumer handle on one run. It implements [`futures::Stream`]; polling it drives the
/// run inline, so a run that needs no other thread completes with no thread hand-off.
///
/// # Cancel safety
/// Dropping a pending `next()` loses nothing: the event stays buffered for the next call.
pub struct RunStream {
    rx: mpsc::Receiver<Box<StreamPart>>,
    run: Option<BoxFuture<'static, ()>>,
    cancel: CancellationToken,
    waiting_on_host: Arc<AtomicBool>,
    log: Option<Arc<RunLog>>,
}

impl RunStream {
    /// Builds the run with `make(emitter)`; nothing runs until the stream is polled.
    pub fn new<F, Fut>(cancel: CancellationToken, make: F) -> Self
    where
        F: FnOnce(Emitter) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self::journaled(cancel, None, make)
    }

    /// As [`RunStream::new`], with every event numbered and written to the run's journal,
    /// which is made durable before the consumer receives an event.
    pub(crate) fn journaled<F, Fut>(
        cancel: CancellationToken,
        log: Option<Arc<RunLog>>,
        make: F,
    ) -> Self
    where
        F: FnOnce(Emitter) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let waiting_on_host = Arc::new(AtomicBool::new(false));
        let run = Box::pin(make(Emitter {
            tx,
            waiting_on_host: waiting_on_host.clone(),
            log: log.clone(),
        }));
        Self {
            rx,
            run: Some(run),
            cancel,
            waiting_on_host,
            log,
        }
    }

    /// The run's id, when it is journaled.
    pub fn run_id(&self) -> Option<&str> {
        self.log.as_deref().map(|l| l.id.as_str())
    }

    /// Takes a buffered event without polling the run.
    pub fn try_recv(&mut self) -> Buffered {
        match self.rx.try_recv() {
            Ok(part) => Buffered::Item(self.deliver(*part)),
            Err(TryRecvError::Empty) => Buffered::Empty,
            Err(TryRecvError::Disconnected) => Buffered::Closed,
        }
    }

    /// Registers `cx` for the next event and takes it if one is there.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<StreamPart>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(part)) => Poll::Ready(Some(self.deliver(*part))),
            other => other.map(|part| part.map(|p| *p)),
        }
    }

    /// Makes what the run buffered durable before its consumer sees `part`. If that fails,
    /// the consumer gets `run <id> stopped: <why>` instead and the stream ends: the run is
    /// stopped where its durable state stands (resumable once the store is back), so a
    /// consumer never sees an event the journal does not have.
    fn deliver(&mut self, part: StreamPart) -> StreamPart {
        let Some(log) = &self.log else { return part };
        match log.flush_if_dirty() {
            Ok(()) => part,
            Err(e) => {
                let stopped = StreamPart::error(format!("run {} stopped: {e}", log.id));
                log.halt(e);
                self.cancel.cancel();
                self.run = None;
                self.rx.close();
                while self.rx.try_recv().is_ok() {}
                stopped
            }
        }
    }

    /// Whether events are buffered.
    pub fn has_buffered(&self) -> bool {
        !self.rx.is_empty()
    }

    /// Polls the run once if it is still driven by this handle; `Ready` once it finished.
    pub fn poll_run(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match self.run.as_mut() {
            Some(run) => {
                let done = run.as_mut().poll(cx);
                if done.is_ready() {
                    self.run = None;
                }
                done
            }
            None => Poll::Ready(()),
        }
    }

    /// Whether the run is parked on a decision of its host (an approval), as opposed to
    /// waiting on I/O or a timer.
    pub fn waits_on_host(&self) -> bool {
        self.waiting_on_host.load(Ordering::Acquire)
    }

    /// Whether this handle still drives the run inline.
    pub fn drives_run(&self) -> bool {
        self.run.is_some()
    }

    /// Hands the run to the caller (to spawn it on an executor); the stream keeps reading its
    /// events from the channel.
    pub fn take_run(&mut self) -> Option<BoxFuture<'static, ()>> {
        self.run.take()
    }

    /// Cancels the run: agents, tools and waits. Idempotent; before the first poll it makes the
    /// run stop as soon as it starts.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A handle that cancels this run, usable without access to the stream.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Whether [`RunStream::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

impl Stream for RunStream {
    type Item = StreamPart;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<StreamPart>> {
        let this = self.get_mut();
        loop {
            match this.try_recv() {
                Buffered::Item(part) => return Poll::Ready(Some(part)),
                Buffered::Closed => return Poll::Ready(None),
                Buffered::Empty => {}
            }
            if this.run.is_none() {
                return this.poll_recv(cx);
            }
            let finished = this.poll_run(cx).is_ready();
            if !finished && !this.has_buffered() {
                // Both the run and the channel registered `cx`.
                return this.poll_recv(cx);
            }
        }
    }
}
