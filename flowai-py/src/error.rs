//! The one mapping from engine errors to Python exceptions.

use flowai::SpecError;
use pyo3::exceptions::{PyNotImplementedError, PyRuntimeError, PyValueError};
use pyo3::PyErr;

/// Construction errors are `ValueError` with the contract's message; a valid request for a
/// capability this release lacks is `NotImplementedError` naming the feature.
pub fn spec_error(e: SpecError) -> PyErr {
    match e {
        SpecError::Unsupported(_) => PyNotImplementedError::new_err(e.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// A store that failed under a read (`list_runs`, `run_events`, `list_approvals`):
/// `RuntimeError` with the store's message, which names the store and says what to do.
pub fn store_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}
