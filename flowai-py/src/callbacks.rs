//! Running queued Python callbacks on the loop thread (tools, predicates, dispatcher) and
//! turning what they return into engine values.

use crate::context::ToolContext;
use crate::convert::{describe_error, from_py, to_py};
use crate::host::HostRequest;
use crate::notify::{Slot, WakeOnDone};
use crate::runtime::Callbacks;
use flowai::{StreamPart, ToolOutput};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::oneshot;

/// Where the result of an async callback goes.
pub enum Reply {
    Tool(oneshot::Sender<ToolOutput>),
    Dispatch(oneshot::Sender<Result<Value, String>>),
}

impl Reply {
    /// The engine stopped waiting (the call was cancelled).
    pub fn is_closed(&self) -> bool {
        match self {
            Reply::Tool(tx) => tx.is_closed(),
            Reply::Dispatch(tx) => tx.is_closed(),
        }
    }

    /// Sends a callable's outcome: its return value or the exception it raised.
    pub fn send(self, py: Python<'_>, outcome: PyResult<Bound<'_, PyAny>>) {
        match self {
            Reply::Tool(tx) => {
                let _ = tx.send(match outcome {
                    Ok(value) => tool_output(py, &value),
                    Err(e) => ToolOutput::error(describe_error(py, &e)),
                });
            }
            Reply::Dispatch(tx) => {
                let _ = tx.send(
                    outcome
                        .and_then(|v| from_py(&v))
                        .map_err(|e| describe_error(py, &e)),
                );
            }
        }
    }
}

/// An async callback running as its own asyncio task. A task of its own (not driven inside
/// the consumer's `await`) means a consumer that cancels a pending `__anext__`
/// (`asyncio.wait_for`) never cancels the callback: the next `__anext__` picks it up.
pub struct Driving {
    pub task: Py<PyAny>,
    pub reply: Reply,
}

/// `asyncio.ensure_future`.
fn ensure_future(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static ENSURE_FUTURE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = ENSURE_FUTURE.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("asyncio")?.getattr("ensure_future")?.unbind())
    })?;
    Ok(f.bind(py))
}

fn is_awaitable(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(!value.is_instance_of::<PyDict>() && value.hasattr(intern!(py, "__await__"))?)
}

/// Runs one request. A sync result is replied at once; an awaitable result becomes a task
/// whose completion wakes `slot` (returned, to be finished by [`finish`]).
pub fn run(
    py: Python<'_>,
    callbacks: &Callbacks,
    slot: &Arc<Slot>,
    request: HostRequest,
) -> PyResult<Option<Driving>> {
    let (outcome, reply) = match request {
        HostRequest::Tool {
            handler,
            args,
            tool_use_id,
            reply,
        } => {
            let ctx = ToolContext::for_call(callbacks.ctx_base.bind(py), &tool_use_id)?;
            (
                callbacks.handlers[handler]
                    .bind(py)
                    .call1((to_py(py, &args)?, ctx)),
                Reply::Tool(reply),
            )
        }
        HostRequest::Predicate {
            predicate,
            args,
            ctx,
            reply,
        } => {
            // Predicates are called synchronously and must return a bool (§9.3).
            let f = callbacks.predicates[predicate].bind(py);
            let verdict = match f.call1((to_py(py, &args)?, to_py(py, &ctx)?)) {
                Ok(v) => match v.cast::<PyBool>() {
                    Ok(b) => Ok(b.is_true()),
                    Err(_) => Err(format!(
                        "approval predicate returned {}, not a bool",
                        v.get_type().name()?
                    )),
                },
                Err(e) => Err(describe_error(py, &e)),
            };
            let _ = reply.send(verdict);
            return Ok(None);
        }
        HostRequest::Dispatch {
            actions,
            ctx,
            reply,
        } => {
            let Some(dispatcher) = &callbacks.dispatcher else {
                let _ = reply.send(Ok(Value::Null));
                return Ok(None);
            };
            let outcome = dispatcher
                .bind(py)
                .call1((to_py(py, &actions)?, to_py(py, &ctx)?));
            (outcome, Reply::Dispatch(reply))
        }
    };
    match outcome {
        Ok(ret) if is_awaitable(py, &ret)? => {
            let task = ensure_future(py)?.call1((ret,))?;
            task.call_method1(
                intern!(py, "add_done_callback"),
                (WakeOnDone::new(py, slot)?,),
            )?;
            Ok(Some(Driving {
                task: task.unbind(),
                reply,
            }))
        }
        other => {
            reply.send(py, other);
            Ok(None)
        }
    }
}

/// Replies with the result of a finished task.
pub fn finish(py: Python<'_>, driving: Driving) {
    let outcome = driving.task.bind(py).call_method0(intern!(py, "result"));
    driving.reply.send(py, outcome);
}

/// A handler's return value as a tool result, with the reserved keys of runtime-behavior
/// §12.2 turned into events.
pub fn tool_output(py: Python<'_>, ret: &Bound<'_, PyAny>) -> ToolOutput {
    let mut value = match from_py(ret) {
        Ok(v) => v,
        Err(e) => return ToolOutput::error(describe_error(py, &e)),
    };
    let mut events = Vec::new();
    if let Value::Object(map) = &mut value {
        if let Some(dsl) = map.remove("approvalDsl") {
            let dsl = match dsl {
                Value::String(s) => s,
                other => other.to_string(),
            };
            events.push(StreamPart::Data {
                kind: "data-flow-ui",
                data: json!({"dsl": dsl}),
            });
        }
        if let Some(Value::String(text)) = map.remove("displaySummary") {
            events.push(StreamPart::Text { text });
        }
        map.remove("_cardEmitted");
    }
    ToolOutput {
        content: value,
        is_error: false,
        events,
    }
}
