//! The reference operations shared by `PyRuntime` and `ReferenceClient`
//! (runtime-behavior §11): argument parsing, the glimpse callback, JSON conversion.
//!
//! Every failure is raised when the returned awaitable is awaited.

use crate::convert::{from_py, to_py};
use crate::runtime::Ready;
use flowai::References;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};
use serde_json::Value;

/// An awaitable of `result`: its value, or its error raised when awaited.
pub fn awaitable(py: Python<'_>, result: PyResult<Py<PyAny>>) -> PyResult<Py<Ready>> {
    let ready = match result {
        Ok(v) => Ready::value(v),
        Err(e) => Ready::deferred(Box::new(move |_| Err(e))),
    };
    Py::new(py, ready)
}

fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The kind named by a `ReferenceSpec` (its `name`) or a kind string.
fn kind_of(reference: &Bound<'_, PyAny>) -> PyResult<String> {
    let kind = if let Ok(s) = reference.cast::<PyString>() {
        s.to_str()?.to_owned()
    } else {
        let name = reference.getattr("name").ok();
        match name.as_ref().and_then(|n| n.cast::<PyString>().ok()) {
            Some(s) => s.to_str()?.to_owned(),
            None => return Err(value_error("reference must provide string field 'name'")),
        }
    };
    if kind.is_empty() {
        return Err(value_error("reference kind must not be empty"));
    }
    Ok(kind)
}

/// The glimpse of step 3: explicit argument, else the spec's callback, else `{}`.
fn glimpse_of(
    reference: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    glimpse: Option<&Bound<'_, PyAny>>,
) -> PyResult<Value> {
    if let Some(g) = glimpse.filter(|g| !g.is_none()) {
        return from_py(g);
    }
    if reference.is_instance_of::<PyString>() {
        return Ok(Value::Object(Default::default()));
    }
    match reference.getattr("glimpse") {
        Ok(f) if f.is_callable() => from_py(&f.call1((value,))?),
        Ok(f) if !f.is_none() => Err(value_error(
            "ReferenceSpec.glimpse must be callable or None",
        )),
        _ => Ok(Value::Object(Default::default())),
    }
}

/// `create_reference(reference, value, glimpse=None)` → `{"glimpse", "id", "kind"}`.
pub fn create(
    py: Python<'_>,
    refs: &References,
    reference: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    glimpse: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let kind = kind_of(reference)?;
    let json = from_py(value)?;
    let glimpse = glimpse_of(reference, value, glimpse)?;
    let handle = py
        .detach(|| refs.create(&kind, json, glimpse))
        .map_err(|e| value_error(e.to_string()))?;
    Ok(to_py(py, &handle)?.unbind())
}

/// A string field of a `{kind, id}` reference given as a mapping or an object.
fn field(reference: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    let item = match reference.cast::<PyMapping>() {
        Ok(m) => m.get_item(name).ok(),
        Err(_) => reference.getattr(name).ok(),
    };
    let Some(s) = item.as_ref().and_then(|v| v.cast::<PyString>().ok()) else {
        return Err(value_error(format!(
            "reference must provide string field '{name}'"
        )));
    };
    let text = s.to_str()?.to_owned();
    if text.is_empty() {
        return Err(value_error(format!("{name} must not be empty")));
    }
    Ok(text)
}

/// Which part of a stored reference to return.
#[derive(Clone, Copy)]
pub enum Part {
    /// The stored value.
    Value,
    /// The stored glimpse.
    Glimpse,
}

/// `resolve_reference(ref)` / `reference_glimpse(ref)`.
pub fn lookup(
    py: Python<'_>,
    refs: &References,
    reference: &Bound<'_, PyAny>,
    part: Part,
) -> PyResult<Py<PyAny>> {
    let kind = field(reference, "kind")?;
    let id = field(reference, "id")?;
    let stored = refs
        .get(&kind, &id)
        .map_err(|e| value_error(e.to_string()))?;
    let json = match part {
        Part::Value => &*stored.value,
        Part::Glimpse => &stored.glimpse,
    };
    Ok(to_py(py, json)?.unbind())
}
