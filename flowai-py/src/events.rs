//! Events as Python dicts, built directly from the typed [`StreamPart`] with interned keys
//! inserted in ascending order (python-api §1.2): no intermediate JSON value per event.

use crate::convert::to_py;
use flowai::event::{CallState, FinishReason, Usage};
use flowai::StreamPart;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

fn state<'py>(py: Python<'py>, s: CallState) -> &'py Bound<'py, PyString> {
    match s {
        CallState::Call => intern!(py, "call"),
        CallState::Result => intern!(py, "result"),
    }
}

fn reason<'py>(py: Python<'py>, r: FinishReason) -> &'py Bound<'py, PyString> {
    match r {
        FinishReason::Stop => intern!(py, "stop"),
        FinishReason::ToolCalls => intern!(py, "tool-calls"),
        FinishReason::Length => intern!(py, "length"),
        FinishReason::ContentFilter => intern!(py, "content-filter"),
    }
}

fn usage<'py>(py: Python<'py>, u: &Usage) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(
        intern!(py, "cacheCreationInputTokens"),
        u.cache_creation_input_tokens,
    )?;
    d.set_item(
        intern!(py, "cacheReadInputTokens"),
        u.cache_read_input_tokens,
    )?;
    d.set_item(intern!(py, "completionTokens"), u.completion_tokens)?;
    d.set_item(intern!(py, "promptTokens"), u.prompt_tokens)?;
    d.set_item(intern!(py, "totalTokens"), u.total())?;
    Ok(d)
}

/// The event dict of `part`, exactly as `json.loads(part.to_value())` would give it.
pub fn event_to_py<'py>(py: Python<'py>, part: &StreamPart) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    let ty = intern!(py, "type");
    match part {
        StreamPart::Text { text } => {
            d.set_item(intern!(py, "text"), text)?;
            d.set_item(ty, intern!(py, "text"))?;
        }
        StreamPart::StepStart => d.set_item(ty, intern!(py, "step-start"))?,
        StreamPart::ToolInvocation {
            state: s,
            tool_invocation_id,
            tool_name,
            args,
            result,
        } => {
            d.set_item(intern!(py, "args"), to_py(py, args)?)?;
            if let Some(r) = result {
                d.set_item(intern!(py, "result"), to_py(py, r)?)?;
            }
            d.set_item(intern!(py, "state"), state(py, *s))?;
            d.set_item(intern!(py, "toolInvocationId"), tool_invocation_id)?;
            d.set_item(intern!(py, "toolName"), tool_name)?;
            d.set_item(ty, intern!(py, "tool-invocation"))?;
        }
        StreamPart::ToolAgent {
            state: s,
            agent_name,
            tool_invocation_id,
        } => {
            d.set_item(intern!(py, "agentName"), agent_name)?;
            d.set_item(intern!(py, "state"), state(py, *s))?;
            d.set_item(intern!(py, "toolInvocationId"), tool_invocation_id)?;
            d.set_item(ty, intern!(py, "tool-agent"))?;
        }
        StreamPart::Finish {
            finish_reason,
            usage: u,
        } => {
            d.set_item(intern!(py, "finishReason"), reason(py, *finish_reason))?;
            d.set_item(ty, intern!(py, "finish"))?;
            d.set_item(intern!(py, "usage"), usage(py, u)?)?;
        }
        other => return to_py(py, &other.to_value()),
    }
    Ok(d.into_any())
}
