//! `PyRuntimeEventStream`: the run's events in `async for`, with no thread hand-off on the
//! common path (design G of `PYTHON-BRIDGE.md`).
//!
//! The stream is its own awaitable: `__anext__` and `__await__` return `self`, and
//! `__next__` does the work. It hands out a buffered event by raising
//! `StopIteration(event)`; with nothing buffered it runs queued Python callbacks, polls the
//! run inline on this thread, and only when the run truly waits on another thread (I/O, a
//! timer) moves it onto tokio and parks on an asyncio future that [`crate::notify`] resolves.
//! Events stay in the run's channel until they are handed out, so a cancelled `__anext__`
//! loses none.

use crate::callbacks::{self, Driving};
use crate::events::event_to_py;
use crate::host::HostCalls;
use crate::notify::{park, Slot, NOTIFIED, PARKED, RUNNING};
use crate::runtime::PyRuntime;
use flowai::event::{Buffered, RunStream};
use flowai::StreamPart;
use pyo3::exceptions::{PyRuntimeError, PyStopAsyncIteration, PyStopIteration};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Waker};
use tokio_util::sync::CancellationToken;

/// The process-wide engine runtime; runs move there only when they wait on I/O or timers.
pub fn engine_threads() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("flowai-engine")
            .enable_all()
            .build()
            .expect("tokio runtime for the flowai engine")
    })
}

struct State {
    run: RunStream,
    runtime: Option<Py<PyRuntime>>,
    driving: Option<Driving>,
}

/// The event stream of one `query`/`run_specialist` call.
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct PyRuntimeEventStream {
    state: Mutex<State>,
    slot: Arc<Slot>,
    host: Arc<HostCalls>,
    /// The run's cancellation, reachable without the state lock (hooks may call `cancel()`).
    cancel: CancellationToken,
    run_id: Option<String>,
}

impl PyRuntimeEventStream {
    pub fn new(
        run: RunStream,
        runtime: Py<PyRuntime>,
        slot: Arc<Slot>,
        host: Arc<HostCalls>,
    ) -> Self {
        let cancel = run.cancel_token();
        let run_id = run.run_id().map(str::to_string);
        Self {
            state: Mutex::new(State {
                run,
                runtime: Some(runtime),
                driving: None,
            }),
            slot,
            host,
            cancel,
            run_id,
        }
    }

    fn lock(&self) -> PyResult<MutexGuard<'_, State>> {
        self.state.try_lock().map_err(|_| {
            PyRuntimeError::new_err("runtime stream is already being iterated by another consumer")
        })
    }
}

impl PyRuntimeEventStream {
    /// Hands `part` to the consumer: dict, hooks, `StopIteration(dict)`.
    fn deliver(&self, py: Python<'_>, st: &State, part: &StreamPart) -> PyErr {
        let dict = match event_to_py(py, part) {
            Ok(d) => d,
            Err(e) => return e,
        };
        if let Some(runtime) = &st.runtime {
            for hook in &runtime.get().callbacks.hooks {
                if let Err(e) = hook.bind(py).call1((&dict,)) {
                    return e;
                }
            }
        }
        PyStopIteration::new_err((dict.unbind(),))
    }

    fn next_inner<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut st = self.lock()?;
        let waker = Waker::from(self.slot.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            self.slot.state.store(RUNNING, Ordering::SeqCst);
            if let Some(d) = st.driving.take() {
                let task = d.task.bind(py);
                if d.reply.is_closed() || self.cancel.is_cancelled() {
                    // The tool call was cancelled: so is its task; the run sees `Cancelled`.
                    task.call_method0(intern!(py, "cancel"))?;
                    continue;
                }
                if !task.call_method0(intern!(py, "done"))?.is_truthy()? {
                    st.driving = Some(d);
                    match self.park(py)? {
                        Some(fut) => return Ok(fut),
                        None => continue,
                    }
                }
                callbacks::finish(py, d);
                continue;
            }
            if self.cancel.is_cancelled() {
                // Queued calls of a cancelled run are dropped unrun; their tools see `Cancelled`.
                while self.host.pop().is_some() {}
            }
            match st.run.try_recv() {
                Buffered::Item(part) => return Err(self.deliver(py, &st, &part)),
                Buffered::Closed => return Err(PyStopAsyncIteration::new_err(())),
                Buffered::Empty => {}
            }
            if let Some(request) = self.host.pop() {
                let runtime = st
                    .runtime
                    .as_ref()
                    .ok_or_else(|| PyRuntimeError::new_err("stream was cleared"))?;
                st.driving = callbacks::run(py, &runtime.get().callbacks, &self.slot, request)?;
                continue;
            }
            if st.run.drives_run() {
                let finished = {
                    let _guard = engine_threads().enter();
                    st.run.poll_run(&mut cx).is_ready()
                };
                if finished
                    || st.run.has_buffered()
                    || self.host.has_pending()
                    || self.slot.state.load(Ordering::Acquire) == NOTIFIED
                {
                    continue;
                }
                // The run waits on something off this thread (I/O, a timer): let tokio drive it
                // from here. A run waiting for an approval stays: the decision comes from
                // this thread, and the slot wakes us.
                if !st.run.waits_on_host() {
                    if let Some(run) = st.run.take_run() {
                        engine_threads().spawn(run);
                    }
                }
            }
            match st.run.poll_recv(&mut cx) {
                std::task::Poll::Ready(Some(part)) => return Err(self.deliver(py, &st, &part)),
                std::task::Poll::Ready(None) => return Err(PyStopAsyncIteration::new_err(())),
                std::task::Poll::Pending => {}
            }
            if self.host.has_pending() {
                continue;
            }
            if let Some(fut) = self.park(py)? {
                return Ok(fut);
            }
        }
    }

    /// Parks on a fresh loop future unless a wake arrived meanwhile (`None`: poll again).
    fn park<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let fut = park(py, &self.slot)?;
        let parked =
            self.slot
                .state
                .compare_exchange(RUNNING, PARKED, Ordering::AcqRel, Ordering::Acquire);
        if parked.is_ok() {
            return Ok(Some(fut));
        }
        self.slot.fut.lock().expect("slot").take();
        Ok(None)
    }
}

#[pymethods]
impl PyRuntimeEventStream {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        let py = slf.py();
        let parked = slf
            .slot
            .fut
            .lock()
            .expect("slot")
            .as_ref()
            .map(|f| f.clone_ref(py));
        if let Some(fut) = parked {
            if !fut
                .bind(py)
                .call_method0(intern!(py, "done"))?
                .is_truthy()?
            {
                return Err(PyRuntimeError::new_err(
                    "anext(): the stream is already awaited by another consumer",
                ));
            }
        }
        Ok(slf)
    }

    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.next_inner(py)
    }

    /// Cancels the request: agents, tools and waits. Idempotent; before the first `__anext__`
    /// the run is cancelled as soon as it starts. Remaining events drain, then iteration ends.
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        self.cancel.cancel();
        // A running async handler would hold the run until it completes: cancel its task, so
        // the run winds down at once. (Inside `__next__`, e.g. from a hook, the lock is taken
        // and `__next__` itself sees the token.)
        if let Ok(st) = self.state.try_lock() {
            if let Some(d) = &st.driving {
                d.task.bind(py).call_method0(intern!(py, "cancel"))?;
            }
        }
        Ok(())
    }

    /// Cancels the run (the async-generator spelling); returns an awaitable of `None`.
    fn aclose(&self, py: Python<'_>) -> PyResult<Py<crate::runtime::Ready>> {
        self.cancel(py)?;
        Py::new(py, crate::runtime::Ready::value(py.None()))
    }

    /// The id of the run this stream belongs to (for `list_runs`, `run_events` and
    /// `query(..., resume=run_id)`).
    #[getter]
    fn run_id(&self) -> Option<String> {
        self.run_id.clone()
    }

    fn __repr__(&self) -> String {
        "<PyRuntimeEventStream>".to_string()
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(fut) = self.slot.fut.try_lock() {
            if let Some(f) = fut.as_ref() {
                visit.call(f)?;
            }
        }
        if let Ok(st) = self.state.try_lock() {
            if let Some(rt) = &st.runtime {
                visit.call(rt)?;
            }
            if let Some(d) = &st.driving {
                visit.call(&d.task)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        if let Ok(mut fut) = self.slot.fut.try_lock() {
            fut.take();
        }
        if let Ok(mut st) = self.state.try_lock() {
            st.runtime = None;
            st.driving = None;
        }
    }
}

impl Drop for PyRuntimeEventStream {
    fn drop(&mut self) {
        // Runs with the GIL held (deallocation): Python objects are released here, never on
        // an engine thread.
        if let Ok(mut fut) = self.slot.fut.lock() {
            fut.take();
        }
    }
}
