//! `PyRuntime` and the native `create_runtime` (python-api §16-§17).

use crate::context::ReferenceClient;
use crate::convert::{from_py, to_py};
use crate::error::{spec_error, store_error};
use crate::host::{HostCalls, PyDispatcher, PyPredicates, PyTool};
use crate::notify::Slot;
use crate::references::{self, awaitable, Part};
use crate::stream::PyRuntimeEventStream;
use flowai::approval::Decision;
use flowai::interpreter::InterpreterKind;
use flowai::plan::ActionDispatcher;
use flowai::spec::{ApprovalRule, RuntimeSpec};
use flowai::trace::{RunFilter, RunStatus};
use flowai::{Entry, RunRequest, Runtime, RuntimeOptions, ToolBinding, ToolDef};
use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::{PyTraverseError, PyVisit};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The Python objects a runtime calls back into; only touched with the GIL held.
pub struct Callbacks {
    pub handlers: Vec<Py<PyAny>>,
    pub hooks: Vec<Py<PyAny>>,
    /// `{"services": ..., "references": ..., <service>: ...}`; copied per tool call.
    pub ctx_base: Py<PyDict>,
    pub predicates: Vec<Py<PyAny>>,
    pub dispatcher: Option<Py<PyAny>>,
}

/// The runtime handle (`flowai_harness.Runtime`). Obtained from `create_runtime`.
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct PyRuntime {
    engine: Runtime,
    pub callbacks: Callbacks,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTool {
    binding_id: String,
    name: String,
    #[serde(default)]
    description: String,
    input_schema: Value,
    approval: ApprovalRule,
    #[serde(default)]
    idempotent: bool,
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

#[pymethods]
impl PyRuntime {
    /// The tenant resource id.
    #[getter]
    fn resource_id(&self) -> &str {
        self.engine.resource_id()
    }

    /// Runs the coordinator, or with `resume=<run id>` continues that run to its end (the
    /// prompt is then ignored; the stream yields the events after the last journaled one).
    #[pyo3(signature = (prompt, thread_id, resume=None))]
    fn query(
        slf: &Bound<'_, Self>,
        prompt: String,
        thread_id: String,
        resume: Option<String>,
    ) -> PyResult<PyRuntimeEventStream> {
        Self::start(slf, Entry::Coordinator, prompt, Some(thread_id), resume)
    }

    /// The approval requests waiting for a decision, from every process sharing this
    /// runtime's store: dicts with `id`, `runId`, `kind`, `target`, `payload`, `threadId`.
    fn list_approvals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pending = self.engine.pending_approvals().map_err(store_error)?;
        let list = PyList::empty(py);
        for r in pending {
            let item = serde_json::json!({
                "id": r.id, "kind": r.kind.as_str(), "payload": r.payload, "runId": r.run_id,
                "target": r.target, "threadId": r.thread_id,
            });
            list.append(to_py(py, &item)?)?;
        }
        Ok(list)
    }

    /// The runs of this tenant, oldest first: dicts with `runId`, `threadId`, `agent`,
    /// `entry`, `prompt`, `status`, `createdAt`, `updatedAt`.
    #[pyo3(signature = (thread_id=None, status=None))]
    fn list_runs<'py>(
        &self,
        py: Python<'py>,
        thread_id: Option<String>,
        status: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let status = match status {
            None => None,
            Some(s) => Some(RunStatus::parse(&s).ok_or_else(|| {
                value_error(format!(
                    "status must be one of running, paused, completed, failed, cancelled; got {s}"
                ))
            })?),
        };
        let filter = RunFilter { thread_id, status };
        let runs = self.engine.list_runs(&filter).map_err(store_error)?;
        let list = PyList::empty(py);
        for run in runs {
            list.append(to_py(py, &run.to_value())?)?;
        }
        Ok(list)
    }

    /// The journaled events of run `run_id` after sequence number `after`, in order, as
    /// `{"seq": n, "event": {...}}` dicts.
    #[pyo3(signature = (run_id, after=0))]
    fn run_events<'py>(
        &self,
        py: Python<'py>,
        run_id: &str,
        after: u64,
    ) -> PyResult<Bound<'py, PyList>> {
        let events = self.engine.run_events(run_id, after).map_err(store_error)?;
        let list = PyList::empty(py);
        for (seq, event) in events {
            list.append(to_py(py, &serde_json::json!({"event": event, "seq": seq}))?)?;
        }
        Ok(list)
    }

    /// The record of run `run_id` (as `list_runs` shows it), or `None`.
    fn run_info<'py>(&self, py: Python<'py>, run_id: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let info = self.engine.run_info(run_id).map_err(store_error)?;
        info.map(|i| to_py(py, &i.to_value())).transpose()
    }

    /// Whether run `run_id` was started by this runtime and has no durable record yet (it
    /// is written with the run's first commit, once its stream is iterated).
    fn run_is_starting(&self, run_id: &str) -> bool {
        self.engine.run_is_starting(run_id)
    }

    /// Runs a specialist; the thread defaults to `specialist-<uuid>`.
    #[pyo3(signature = (specialist, prompt, thread_id=None))]
    fn run_specialist(
        slf: &Bound<'_, Self>,
        specialist: String,
        prompt: String,
        thread_id: Option<String>,
    ) -> PyResult<PyRuntimeEventStream> {
        Self::start(slf, Entry::Specialist(specialist), prompt, thread_id, None)
    }

    /// Records an approval decision. A bad outcome raises at once; the lookup (unknown id,
    /// already resolved) happens when the returned awaitable is awaited.
    #[pyo3(signature = (approval_id, outcome, feedback=None, partial=None))]
    fn respond_to_approval(
        &self,
        py: Python<'_>,
        approval_id: String,
        outcome: String,
        feedback: Option<String>,
        partial: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<Ready>> {
        let partial = partial.map(|p| from_py(&p)).transpose()?;
        let decision = Decision::parse(&outcome, feedback, partial).map_err(value_error)?;
        let engine = self.engine.clone();
        Py::new(
            py,
            Ready::deferred(Box::new(move |py| {
                engine
                    .respond_to_approval(&approval_id, decision)
                    .map_err(value_error)?;
                Ok(py.None())
            })),
        )
    }

    /// Validates and stores a reference; awaitable of `{"glimpse", "id", "kind"}`.
    #[pyo3(signature = (reference, value, glimpse=None))]
    fn create_reference(
        &self,
        py: Python<'_>,
        reference: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        glimpse: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Ready>> {
        let refs = self.engine.references();
        awaitable(py, references::create(py, refs, reference, value, glimpse))
    }

    /// Awaitable of the stored value of a `{kind, id}` reference.
    fn resolve_reference(
        &self,
        py: Python<'_>,
        reference: &Bound<'_, PyAny>,
    ) -> PyResult<Py<Ready>> {
        let refs = self.engine.references();
        awaitable(py, references::lookup(py, refs, reference, Part::Value))
    }

    /// Awaitable of the stored glimpse of a `{kind, id}` reference.
    fn reference_glimpse(
        &self,
        py: Python<'_>,
        reference: &Bound<'_, PyAny>,
    ) -> PyResult<Py<Ready>> {
        let refs = self.engine.references();
        awaitable(py, references::lookup(py, refs, reference, Part::Glimpse))
    }

    fn __repr__(&self) -> String {
        format!("<PyRuntime resource_id={:?}>", self.engine.resource_id())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let c = &self.callbacks;
        for obj in c
            .handlers
            .iter()
            .chain(&c.hooks)
            .chain(&c.predicates)
            .chain(&c.dispatcher)
        {
            visit.call(obj)?;
        }
        visit.call(&c.ctx_base)
    }
}

impl PyRuntime {
    fn start(
        slf: &Bound<'_, Self>,
        entry: Entry,
        prompt: String,
        thread_id: Option<String>,
        resume: Option<String>,
    ) -> PyResult<PyRuntimeEventStream> {
        let slot = Slot::new();
        let host = HostCalls::new(slot.clone());
        let request = RunRequest {
            entry,
            prompt,
            thread_id,
            host: Some(host.clone()),
            resume,
        };
        let run = slf.get().engine.start(request);
        Ok(PyRuntimeEventStream::new(
            run,
            slf.clone().unbind(),
            slot,
            host,
        ))
    }
}

/// An awaitable resolved on first await: a value, or a computation whose error is raised
/// then (as `respond_to_approval` requires).
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct Ready {
    outcome: std::sync::Mutex<Option<Outcome>>,
}

type Thunk = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

enum Outcome {
    Done(Py<PyAny>),
    /// Computed when first awaited.
    Deferred(Thunk),
}

impl Ready {
    pub fn value(v: Py<PyAny>) -> Self {
        Self {
            outcome: std::sync::Mutex::new(Some(Outcome::Done(v))),
        }
    }
    pub fn deferred(f: Thunk) -> Self {
        Self {
            outcome: std::sync::Mutex::new(Some(Outcome::Deferred(f))),
        }
    }
}

#[pymethods]
impl Ready {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<()> {
        let outcome = self.outcome.lock().expect("ready").take();
        let result = match outcome {
            Some(Outcome::Done(v)) => Ok(v),
            Some(Outcome::Deferred(f)) => f(py),
            None => Ok(py.None()),
        };
        Err(PyStopIteration::new_err((result?,)))
    }
}

/// `_internal.create_runtime(...)`: every argument positional, encoded by the facade.
#[pyfunction]
#[pyo3(signature = (
    spec_json, resource_id, agent_tools_json, tool_specs_json, tool_callbacks,
    approval_callbacks, action_dispatcher, event_hooks, interpreter, mock_response, services,
    data_environment_json, record_to=None, replay_from=None
))]
#[allow(clippy::too_many_arguments)]
pub fn create_runtime(
    py: Python<'_>,
    spec_json: &str,
    resource_id: &str,
    agent_tools_json: &str,
    tool_specs_json: &str,
    tool_callbacks: &Bound<'_, PyDict>,
    approval_callbacks: &Bound<'_, PyDict>,
    action_dispatcher: Option<Bound<'_, PyAny>>,
    event_hooks: &Bound<'_, PyList>,
    interpreter: &str,
    mock_response: Option<String>,
    services: &Bound<'_, PyDict>,
    data_environment_json: Option<&str>,
    record_to: Option<std::path::PathBuf>,
    replay_from: Option<std::path::PathBuf>,
) -> PyResult<PyRuntime> {
    let _ = resource_id;
    let spec = RuntimeSpec::from_json(spec_json).map_err(spec_error)?;
    let mut kind = InterpreterKind::parse(interpreter).map_err(spec_error)?;
    if let Some(response) = mock_response {
        if kind != InterpreterKind::Noop {
            return Err(value_error("mock_response requires interpreter='noop'"));
        }
        kind = InterpreterKind::Mock { response };
    }
    let agent_tools: BTreeMap<String, Vec<String>> =
        serde_json::from_str(agent_tools_json).map_err(value_error)?;
    let wire_tools: Vec<WireTool> = serde_json::from_str(tool_specs_json).map_err(value_error)?;
    let mut handlers = Vec::new();
    let mut tools = Vec::new();
    for wire in wire_tools {
        let handler = tool_callbacks.get_item(&wire.binding_id)?;
        let attached = agent_tools
            .values()
            .flatten()
            .any(|k| *k == wire.binding_id);
        let tool: Arc<dyn flowai::Tool> = match handler {
            Some(h) => {
                handlers.push(h.unbind());
                Arc::new(PyTool {
                    handler: handlers.len() - 1,
                })
            }
            None if attached => {
                return Err(value_error(format!(
                    "tool binding '{}' for tool '{}' has no Python handler",
                    wire.binding_id, wire.name
                )))
            }
            None => continue,
        };
        let def = ToolDef {
            name: wire.name,
            description: wire.description,
            input_schema: wire.input_schema,
            approval: wire.approval,
            binding_id: wire.binding_id,
            idempotent: wire.idempotent,
        };
        tools.push(ToolBinding { def, tool });
    }
    let mut predicates = Vec::new();
    let mut predicate_ids = std::collections::HashMap::new();
    for (id, f) in approval_callbacks.iter() {
        predicate_ids.insert(id.extract::<String>()?, predicates.len());
        predicates.push(f.unbind());
    }
    let data_environment = data_environment_json
        .map(serde_json::from_str::<Value>)
        .transpose()
        .map_err(|e| value_error(format!("invalid data_environment: {e}")))?;
    let options = RuntimeOptions {
        interpreter: kind,
        tools,
        agent_tools,
        predicates: Some(Arc::new(PyPredicates { ids: predicate_ids })),
        action_dispatcher: action_dispatcher
            .is_some()
            .then(|| Arc::new(PyDispatcher) as Arc<dyn ActionDispatcher>),
        record_to,
        replay_from,
        data_environment,
        store: None,
    };
    let engine = Runtime::new(spec, options).map_err(spec_error)?;
    for key in services.keys() {
        let key: String = key.extract()?;
        if matches!(key.as_str(), "tool_use_id" | "services" | "references") {
            return Err(value_error(format!(
                "services key '{key}' is reserved by the runtime tool context"
            )));
        }
    }
    let ctx_base = services.copy()?;
    ctx_base.set_item("services", services)?;
    ctx_base.set_item(
        "references",
        Py::new(py, ReferenceClient::new(engine.references().clone()))?,
    )?;
    let hooks = event_hooks.iter().map(Bound::unbind).collect();
    let callbacks = Callbacks {
        handlers,
        hooks,
        ctx_base: ctx_base.unbind(),
        predicates,
        dispatcher: action_dispatcher.map(Bound::unbind),
    };
    Ok(PyRuntime { engine, callbacks })
}

/// `_internal.describe_toolkit_tools(toolkit_json, agent_json)`: a toolkit's tools as an
/// agent sees them, as a JSON string.
#[pyfunction]
pub fn describe_toolkit_tools(toolkit_json: &str, agent_json: &str) -> PyResult<String> {
    let toolkit: flowai::spec::ToolkitSpec =
        serde_json::from_str(toolkit_json).map_err(value_error)?;
    let agent: flowai::spec::AgentSpec = serde_json::from_str(agent_json).map_err(value_error)?;
    let tools = flowai::tool::builtin::describe_toolkit(&toolkit, &agent).map_err(value_error)?;
    Ok(tools.to_string())
}
