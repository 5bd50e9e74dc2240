//! `flowai_harness._internal`: the native module of the Python package.
//!
//! It only declares the module and registers the classes; the bridge lives in
//! `stream` (events into `async for`), `notify` (wake-ups), `host` (Python callbacks)
//! and `runtime` (the handle and `create_runtime`).

mod callbacks;
mod context;
mod convert;
mod error;
mod events;
mod host;
mod notify;
mod references;
mod runtime;
mod stream;

use pyo3::prelude::*;

/// The native API version the Python facade expects.
const NATIVE_API_VERSION: u32 = 4;

/// The native API version (`4`); the facade refuses a stale extension.
#[pyfunction]
fn native_api_version() -> u32 {
    NATIVE_API_VERSION
}

#[pymodule]
fn _internal(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The spec's full list also names eval, CLI and data helpers; they land with those features.
    let all = [
        "native_api_version",
        "create_runtime",
        "describe_toolkit_tools",
        "PyRuntime",
        "PyRuntimeEventStream",
        "ToolContext",
    ];
    m.add("__all__", all.to_vec())?;
    m.add("NATIVE_API_VERSION", NATIVE_API_VERSION)?;
    m.add_function(wrap_pyfunction!(native_api_version, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::create_runtime, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::describe_toolkit_tools, m)?)?;
    m.add_class::<runtime::PyRuntime>()?;
    m.add_class::<runtime::Ready>()?;
    m.add_class::<stream::PyRuntimeEventStream>()?;
    m.add_class::<context::ToolContext>()?;
    m.add_class::<context::ReferenceClient>()?;
    Ok(())
}
