//! Python callbacks run where Python already is (`PYTHON-BRIDGE.md`, point 5).
//!
//! A Python tool is a [`flowai::Tool`] whose future does not call Python: it queues a
//! [`PendingCall`] on its run's [`HostCalls`] and waits for the reply. The stream's
//! `__next__`, which holds the GIL on the loop thread, runs queued calls between polls of the
//! run: a sync handler directly, an async one by driving its coroutine from `__next__`. So a
//! run polled inline needs no thread hop, and a run that moved to tokio still never has a
//! tokio thread attach to the interpreter.

use crate::notify::Slot;
use flowai::{Tool, ToolContext, ToolOutput};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// A tool call waiting for the Python thread.
pub struct PendingCall {
    /// Index of the handler in the runtime's handler table.
    pub handler: usize,
    /// Decoded tool input.
    pub args: Value,
    /// The tool-use id for `ctx["tool_use_id"]`.
    pub tool_use_id: String,
    /// Where the result goes.
    pub reply: oneshot::Sender<ToolOutput>,
}

/// The per-run queue of Python calls, shared by the run (through the tool context's host
/// extension) and the stream that consumes it.
pub struct HostCalls {
    queue: Mutex<VecDeque<PendingCall>>,
    slot: Arc<Slot>,
}

impl HostCalls {
    pub fn new(slot: Arc<Slot>) -> Arc<Self> {
        Arc::new(Self {
            queue: Mutex::new(VecDeque::new()),
            slot,
        })
    }

    fn push(&self, call: PendingCall) {
        self.queue.lock().expect("host call queue").push_back(call);
        // Wakes a parked consumer; a running one sees the queue before it parks.
        std::task::Wake::wake_by_ref(&self.slot);
    }

    /// The oldest queued call.
    pub fn pop(&self) -> Option<PendingCall> {
        self.queue.lock().expect("host call queue").pop_front()
    }

    /// Whether calls are queued.
    pub fn has_pending(&self) -> bool {
        !self.queue.lock().expect("host call queue").is_empty()
    }
}

/// A tool whose handler is a Python callable.
pub struct PyTool {
    pub handler: usize,
}

impl Tool for PyTool {
    fn call(&self, args: Value, ctx: ToolContext) -> BoxFuture<'static, ToolOutput> {
        let Some(host) = ctx.host::<HostCalls>() else {
            return Box::pin(async {
                ToolOutput::error("Python tool called outside a Python stream")
            });
        };
        let (reply, rx) = oneshot::channel();
        host.push(PendingCall {
            handler: self.handler,
            args,
            tool_use_id: ctx.tool_use_id.clone(),
            reply,
        });
        Box::pin(async move { rx.await.unwrap_or_else(|_| ToolOutput::error("Cancelled")) })
    }
}
