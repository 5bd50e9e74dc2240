//! The `references` toolkit: `resolveRef` and `glimpseRef` (runtime-behavior §4.6).

use super::References;
use crate::tool::ToolOutput;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct RefInput {
    kind: String,
    id: String,
}

fn lookup(
    refs: &References,
    args: &Value,
    answer: impl FnOnce(String, super::StoredReference) -> Value,
) -> ToolOutput {
    let input = match RefInput::deserialize(args) {
        Ok(i) => i,
        Err(e) => return ToolOutput::error(format!("Invalid input: {e}")),
    };
    match refs.get(&input.kind, &input.id) {
        Ok(stored) => ToolOutput::ok(answer(input.kind, stored)),
        Err(e) => ToolOutput::error(e.to_string()),
    }
}

/// `resolveRef`: `{"glimpse", "kind", "value"}`.
pub(crate) fn resolve_ref(refs: &References, args: &Value) -> ToolOutput {
    lookup(
        refs,
        args,
        |kind, r| json!({"glimpse": r.glimpse, "kind": kind, "value": *r.value}),
    )
}

/// `glimpseRef`: `{"glimpse", "kind"}`.
pub(crate) fn glimpse_ref(refs: &References, args: &Value) -> ToolOutput {
    lookup(
        refs,
        args,
        |kind, r| json!({"glimpse": r.glimpse, "kind": kind}),
    )
}
