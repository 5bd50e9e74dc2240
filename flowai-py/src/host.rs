//! Python callbacks run where Python already is (`PYTHON-BRIDGE.md`, point 5).
//!
//! A Python tool, approval predicate or action dispatcher is an engine trait object whose
//! future does not call Python: it queues a [`HostRequest`] on its run's [`HostCalls`] and
//! waits for the reply. The stream's `__next__`, which holds the GIL on the loop thread,
//! runs queued requests between polls of the run: sync callables directly, async ones as
//! tasks on the consumer's loop. So a run polled inline needs no thread hop, and a run that
//! moved to tokio still never has a tokio thread attach to the interpreter.

use crate::notify::Slot;
use flowai::approval::{PredicateContext, Predicates};
use flowai::plan::{ActionDispatcher, DispatchContext};
use flowai::{Tool, ToolContext, ToolOutput};
use futures::future::BoxFuture;
use serde_json::Value;
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// One call waiting for the Python thread.
pub enum HostRequest {
    /// A tool handler `handler(args, ctx)`.
    Tool {
        handler: usize,
        args: Value,
        tool_use_id: String,
        reply: oneshot::Sender<ToolOutput>,
    },
    /// An approval predicate `fn(args, {"kind", "target", "tenant"}) -> bool`.
    Predicate {
        predicate: usize,
        args: Value,
        ctx: Value,
        reply: oneshot::Sender<Result<bool, String>>,
    },
    /// The action dispatcher `fn(actions, {"resolved_refs": ...})`.
    Dispatch {
        actions: Value,
        ctx: Value,
        reply: oneshot::Sender<Result<Value, String>>,
    },
}

/// The per-run queue of Python calls, shared by the run (through its host extension) and
/// the stream that consumes it.
pub struct HostCalls {
    queue: Mutex<VecDeque<HostRequest>>,
    slot: Arc<Slot>,
}

impl HostCalls {
    pub fn new(slot: Arc<Slot>) -> Arc<Self> {
        Arc::new(Self {
            queue: Mutex::new(VecDeque::new()),
            slot,
        })
    }

    fn push(&self, request: HostRequest) {
        self.queue
            .lock()
            .expect("host call queue")
            .push_back(request);
        // Wakes a parked consumer; a running one sees the queue before it parks.
        std::task::Wake::wake_by_ref(&self.slot);
    }

    /// The oldest queued request.
    pub fn pop(&self) -> Option<HostRequest> {
        self.queue.lock().expect("host call queue").pop_front()
    }

    /// Whether requests are queued.
    pub fn has_pending(&self) -> bool {
        !self.queue.lock().expect("host call queue").is_empty()
    }
}

fn host_of(host: &Option<Arc<dyn Any + Send + Sync>>) -> Option<&HostCalls> {
    host.as_deref().and_then(|h| h.downcast_ref::<HostCalls>())
}

const OUTSIDE: &str =
    "async Python callback requires the runtime stream to be iterated from asyncio";

/// A tool whose handler is a Python callable.
pub struct PyTool {
    pub handler: usize,
}

impl Tool for PyTool {
    fn call(&self, args: Value, ctx: ToolContext) -> BoxFuture<'static, ToolOutput> {
        let Some(host) = ctx.host::<HostCalls>() else {
            return Box::pin(async { ToolOutput::error(OUTSIDE) });
        };
        let (reply, rx) = oneshot::channel();
        let tool_use_id = ctx.tool_use_id.clone();
        host.push(HostRequest::Tool {
            handler: self.handler,
            args,
            tool_use_id,
            reply,
        });
        Box::pin(async move { rx.await.unwrap_or_else(|_| ToolOutput::error("Cancelled")) })
    }

    fn waits_on_host(&self) -> bool {
        true
    }
}

/// The Python approval predicates, by id (index into the runtime's predicate table).
pub struct PyPredicates {
    pub ids: HashMap<String, usize>,
}

impl Predicates for PyPredicates {
    fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    fn evaluate(
        &self,
        id: &str,
        args: Value,
        ctx: PredicateContext,
    ) -> BoxFuture<'static, Result<bool, String>> {
        let (Some(&predicate), Some(host)) = (self.ids.get(id), host_of(&ctx.host)) else {
            let message =
                format!("dynamic approval predicate '{id}' cannot run outside a Python stream");
            return Box::pin(async move { Err(message) });
        };
        let py_ctx = serde_json::json!({"kind": ctx.kind.as_str(), "target": ctx.target, "tenant": ctx.tenant});
        let (reply, rx) = oneshot::channel();
        host.push(HostRequest::Predicate {
            predicate,
            args,
            ctx: py_ctx,
            reply,
        });
        Box::pin(async move { rx.await.unwrap_or_else(|_| Err("Cancelled".into())) })
    }
}

/// The Python action dispatcher.
pub struct PyDispatcher;

impl ActionDispatcher for PyDispatcher {
    fn dispatch(
        &self,
        actions: Value,
        ctx: DispatchContext,
    ) -> BoxFuture<'static, Result<Value, String>> {
        let Some(host) = host_of(&ctx.host) else {
            return Box::pin(async { Err(OUTSIDE.to_string()) });
        };
        let py_ctx = serde_json::json!({"resolved_refs": ctx.resolved_refs});
        let (reply, rx) = oneshot::channel();
        host.push(HostRequest::Dispatch {
            actions,
            ctx: py_ctx,
            reply,
        });
        Box::pin(async move { rx.await.unwrap_or_else(|_| Err("Cancelled".into())) })
    }
}
