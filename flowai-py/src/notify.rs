//! Wake-ups that never touch Python (`PYTHON-BRIDGE.md`, point 4).
//!
//! A stream that has nothing to hand out parks on an asyncio future it stores in its
//! [`Slot`]. The `Waker` given to tokio (and to the run's channel) is that slot: waking it
//! pushes the slot onto a queue and, only when the queue goes from empty to non-empty, writes
//! one byte to a socketpair the event loop watches with `loop.add_reader`. The reader
//! callback runs on the loop thread and resolves the parked futures. tokio threads therefore
//! never attach to the interpreter, which is what keeps interpreter exit clean.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Wake;

/// The consumer is running (polling the run on the Python thread).
pub const RUNNING: u8 = 0;
/// The consumer returned a parked future to asyncio.
pub const PARKED: u8 = 1;
/// A wake arrived while the consumer was running: poll again before parking.
pub const NOTIFIED: u8 = 2;

/// One stream's wake-up target.
pub struct Slot {
    /// The parked asyncio future; only touched with the GIL held.
    pub fut: Mutex<Option<Py<PyAny>>>,
    /// [`RUNNING`], [`PARKED`] or [`NOTIFIED`].
    pub state: AtomicU8,
}

impl Slot {
    pub fn new() -> Arc<Self> {
        Arc::new(Slot {
            fut: Mutex::new(None),
            state: AtomicU8::new(RUNNING),
        })
    }

    fn wake_inner(self: &Arc<Self>) {
        // A wake while the consumer runs costs no syscall: it re-polls before it parks.
        if self.state.swap(NOTIFIED, Ordering::AcqRel) == PARKED {
            notifier().wake(self.clone());
        }
    }
}

impl Wake for Slot {
    fn wake(self: Arc<Self>) {
        self.wake_inner();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_inner();
    }
}

struct Notifier {
    queue: Mutex<Vec<Arc<Slot>>>,
    pending: AtomicBool,
    read: UnixStream,
    write: UnixStream,
    registered_loop: Mutex<Option<Py<PyAny>>>,
}

static NOTIFIER: OnceLock<Notifier> = OnceLock::new();

fn notifier() -> &'static Notifier {
    NOTIFIER.get_or_init(|| {
        let (read, write) = UnixStream::pair().expect("socketpair for stream wake-ups");
        read.set_nonblocking(true).expect("non-blocking socket");
        write.set_nonblocking(true).expect("non-blocking socket");
        Notifier {
            queue: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            read,
            write,
            registered_loop: Mutex::new(None),
        }
    })
}

impl Notifier {
    /// Any thread; never touches Python.
    fn wake(&self, slot: Arc<Slot>) {
        let need_write = {
            let mut q = self.queue.lock().expect("wake queue");
            q.push(slot);
            !self.pending.swap(true, Ordering::AcqRel)
        };
        if need_write {
            let _ = (&self.write).write(&[1u8]);
        }
    }

    /// The loop thread: resolve every parked future whose slot was woken.
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut buf = [0u8; 256];
        while matches!((&self.read).read(&mut buf), Ok(n) if n > 0) {}
        let slots = {
            let mut q = self.queue.lock().expect("wake queue");
            self.pending.store(false, Ordering::Release);
            std::mem::take(&mut *q)
        };
        for slot in slots {
            let fut = slot.fut.lock().expect("slot").take();
            if let Some(fut) = fut {
                let fut = fut.bind(py);
                if !fut.call_method0(intern!(py, "done"))?.is_truthy()? {
                    fut.call_method1(intern!(py, "set_result"), (py.None(),))?;
                }
            }
        }
        Ok(())
    }
}

#[pyfunction]
fn _drain_wakeups(py: Python<'_>) -> PyResult<()> {
    notifier().drain(py)
}

/// The running asyncio loop (`asyncio.get_running_loop()`).
pub fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = GET_RUNNING_LOOP.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
    })?;
    f.bind(py).call0()
}

/// A fresh future on the running loop, registered with the wake-up reader, stored in `slot`
/// and ready to be yielded to asyncio's task.
pub fn park<'py>(py: Python<'py>, slot: &Slot) -> PyResult<Bound<'py, PyAny>> {
    let lp = running_loop(py)?;
    ensure_registered(py, &lp)?;
    let fut = lp.call_method0(intern!(py, "create_future"))?;
    fut.setattr(intern!(py, "_asyncio_future_blocking"), true)?;
    *slot.fut.lock().expect("slot") = Some(fut.clone().unbind());
    Ok(fut)
}

fn ensure_registered(py: Python<'_>, lp: &Bound<'_, PyAny>) -> PyResult<()> {
    let n = notifier();
    let mut reg = n.registered_loop.lock().expect("registered loop");
    if reg.as_ref().is_some_and(|cur| cur.bind(py).is(lp)) {
        return Ok(());
    }
    static DRAIN_FN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = DRAIN_FN.get_or_try_init(py, || -> PyResult<_> {
        Ok(wrap_pyfunction!(_drain_wakeups, py)?.into_any().unbind())
    })?;
    lp.call_method1(intern!(py, "add_reader"), (n.read.as_raw_fd(), f.bind(py)))?;
    *reg = Some(lp.clone().unbind());
    Ok(())
}

/// A done-callback that wakes a stream parked on its slot; it runs on the loop thread.
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct WakeOnDone {
    slot: Arc<Slot>,
}

impl WakeOnDone {
    pub fn new<'py>(py: Python<'py>, slot: &Arc<Slot>) -> PyResult<Bound<'py, WakeOnDone>> {
        Bound::new(py, WakeOnDone { slot: slot.clone() })
    }
}

#[pymethods]
impl WakeOnDone {
    fn __call__(&self, py: Python<'_>, _done: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.slot.state.swap(NOTIFIED, Ordering::AcqRel) != PARKED {
            return Ok(());
        }
        let fut = self.slot.fut.lock().expect("slot").take();
        if let Some(fut) = fut {
            let fut = fut.bind(py);
            if !fut.call_method0(intern!(py, "done"))?.is_truthy()? {
                fut.call_method1(intern!(py, "set_result"), (py.None(),))?;
            }
        }
        Ok(())
    }
}
