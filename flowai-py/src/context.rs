//! `ToolContext` and `ReferenceClient`, the second argument of Python tool handlers
//! (python-api §16.3-§16.4).

use crate::references::{self, awaitable, Part};
use crate::runtime::Ready;
use flowai::References;
use pyo3::exceptions::{PyAttributeError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::{PyTraverseError, PyVisit};

/// The tool context: a dict of `tool_use_id`, `services`, `references` and one entry per
/// service, readable by key or attribute.
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct ToolContext {
    inner: Py<PyDict>,
}

impl ToolContext {
    /// A context for one call: a shallow copy of the runtime's base dict plus the id.
    pub fn for_call(base: &Bound<'_, PyDict>, tool_use_id: &str) -> PyResult<Self> {
        let inner = base.copy()?;
        inner.set_item(pyo3::intern!(base.py(), "tool_use_id"), tool_use_id)?;
        Ok(Self {
            inner: inner.unbind(),
        })
    }
}

#[pymethods]
impl ToolContext {
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.inner
            .bind(py)
            .get_item(key)?
            .ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.inner
            .bind(py)
            .get_item(name)?
            .ok_or_else(|| PyAttributeError::new_err(name.to_string()))
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.inner.bind(py).get_item(key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }

    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.inner.bind(py).contains(key)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.inner.bind(py).call_method0("keys")
    }

    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.inner.bind(py).copy()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("ToolContext({})", self.inner.bind(py).repr()?))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.inner)
    }
}

/// Reference operations bound to the runtime tenant (`ctx.references`); the same semantics
/// as the runtime's `create_reference` / `resolve_reference` / `reference_glimpse`.
#[pyclass(frozen, module = "flowai_harness._internal")]
pub struct ReferenceClient {
    refs: References,
}

impl ReferenceClient {
    pub fn new(refs: References) -> Self {
        Self { refs }
    }
}

#[pymethods]
impl ReferenceClient {
    #[pyo3(signature = (reference, value, glimpse=None))]
    fn create(
        &self,
        py: Python<'_>,
        reference: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        glimpse: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Ready>> {
        awaitable(
            py,
            references::create(py, &self.refs, reference, value, glimpse),
        )
    }

    fn resolve(&self, py: Python<'_>, reference: &Bound<'_, PyAny>) -> PyResult<Py<Ready>> {
        awaitable(
            py,
            references::lookup(py, &self.refs, reference, Part::Value),
        )
    }

    fn glimpse(&self, py: Python<'_>, reference: &Bound<'_, PyAny>) -> PyResult<Py<Ready>> {
        awaitable(
            py,
            references::lookup(py, &self.refs, reference, Part::Glimpse),
        )
    }

    fn __repr__(&self) -> String {
        "<ReferenceClient>".to_string()
    }
}
