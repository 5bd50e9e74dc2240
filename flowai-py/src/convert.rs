//! JSON values across the boundary: engine `serde_json::Value` ↔ plain Python objects.
//!
//! Objects reach Python with their keys in ascending order at every level (python-api §1.2;
//! `serde_json::Map` is sorted). Python values become JSON the way `json.dumps` would take
//! them, with Pydantic models dumped through `model_dump(mode="json")`.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Builds the Python object of a JSON value; object keys are interned strings.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => to_py_dict(py, map)?.into_any(),
    })
}

/// A `dict` from a JSON object.
pub fn to_py_dict<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(PyString::intern(py, k), to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Converts a Python value to JSON as `json.dumps` would accept it (tuples become lists;
/// Pydantic models go through `model_dump(mode="json")`; non-string keys fail).
///
/// # Errors
/// `TypeError` for values JSON cannot represent, as `json.dumps` raises it.
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err(PyTypeError::new_err("integer does not fit in 64 bits"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "Out of range float values are not JSON compliant: {v}"
            ))
        });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                let ty = k.get_type().name()?;
                return Err(PyTypeError::new_err(format!("keys must be str, not {ty}")));
            };
            map.insert(key.to_str()?.to_owned(), from_py(&v)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|v| from_py(&v))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| from_py(&v))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if obj.hasattr(intern!(py, "model_dump"))? {
        let kwargs = PyDict::new(py);
        kwargs.set_item("mode", "json")?;
        let dumped = obj.call_method(intern!(py, "model_dump"), (), Some(&kwargs))?;
        return from_py(&dumped);
    }
    // Anything else: let `json.dumps` decide, so the error text is the one users know.
    let json = py.import(intern!(py, "json"))?;
    let text: String = json.call_method1(intern!(py, "dumps"), (obj,))?.extract()?;
    serde_json::from_str(&text).map_err(|e| PyTypeError::new_err(e.to_string()))
}

/// `"<ExceptionType>: <message>"`, the tool error text of a raised exception.
pub fn describe_error(py: Python<'_>, err: &PyErr) -> String {
    let ty = err.get_type(py);
    let name = ty
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let message = err
        .value(py)
        .str()
        .map(|s| s.to_string())
        .unwrap_or_default();
    format!("{name}: {message}")
}
