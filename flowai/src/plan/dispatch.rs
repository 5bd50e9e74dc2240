//! The action dispatcher (runtime-behavior §10): the host function that carries out an
//! approved plan, and the strict check of what it returns.

use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::any::Any;
use std::sync::Arc;

/// What the dispatcher receives besides the actions. It is not the tool context: it has
/// no services (close over host clients instead).
#[derive(Clone)]
pub struct DispatchContext {
    /// `{kind: {id: value}}` of every reference the actions name (deduplicated).
    pub resolved_refs: Value,
    /// The front end's per-run extension (the Python bridge runs the callable through it).
    pub host: Option<Arc<dyn Any + Send + Sync>>,
}

/// Carries out a plan's canonical actions; runs only inside `executePlan`, after
/// validation and approval, exactly once per execution. `Ok(Value::Null)` means "nothing to
/// report"; `Err(text)` is a failure (`<ExceptionType>: <message>` for Python).
pub trait ActionDispatcher: Send + Sync {
    /// Dispatches `actions` (a JSON array of `{kind, payload, references}`).
    fn dispatch(
        &self,
        actions: Value,
        ctx: DispatchContext,
    ) -> BoxFuture<'static, Result<Value, String>>;
}

struct FnDispatcher<F>(F);

impl<F> ActionDispatcher for FnDispatcher<F>
where
    F: Fn(Value, DispatchContext) -> Result<Value, String> + Send + Sync,
{
    fn dispatch(
        &self,
        actions: Value,
        ctx: DispatchContext,
    ) -> BoxFuture<'static, Result<Value, String>> {
        let result = (self.0)(actions, ctx);
        Box::pin(async move { result })
    }
}

/// A Rust closure as the action dispatcher.
///
/// ```
/// use flowai::plan::dispatcher_fn;
/// let d = dispatcher_fn(|actions, _ctx| {
///     Ok(serde_json::json!({"entitiesAffected": actions.as_array().map_or(0, Vec::len)}))
/// });
/// # let _ = d;
/// ```
pub fn dispatcher_fn<F>(f: F) -> Arc<dyn ActionDispatcher>
where
    F: Fn(Value, DispatchContext) -> Result<Value, String> + Send + Sync + 'static,
{
    Arc::new(FnDispatcher(f))
}

/// A dispatcher's return value once it passed the checks of §10.3.
#[derive(Clone, Debug, PartialEq)]
pub struct DispatchResult {
    /// Non-negative count.
    pub entities_affected: u64,
    /// String or null.
    pub summary: Value,
    /// Any JSON.
    pub details: Value,
}

impl DispatchResult {
    /// Checks the return contract of §10.3; the `Err` text is the documented message.
    pub fn from_return(value: Value) -> Result<Self, String> {
        let map = match value {
            Value::Null => return Ok(Self { entities_affected: 0, summary: Value::Null, details: Value::Null }),
            Value::Object(map) => map,
            _ => {
                return Err("action_dispatcher must return None or an object with required field `entitiesAffected`, optional `summary`, and optional `details`".into())
            }
        };
        if let Some(k) = map
            .keys()
            .find(|k| !matches!(k.as_str(), "entitiesAffected" | "summary" | "details"))
        {
            return Err(format!(
                "action_dispatcher returned unexpected field `{k}`; put domain-specific data under `details`"
            ));
        }
        let entities_affected = match map.get("entitiesAffected") {
            None => {
                return Err("action_dispatcher must return None or an object with required field `entitiesAffected` as a non-negative integer".into())
            }
            Some(v) => v
                .as_u64()
                .ok_or("action_dispatcher field `entitiesAffected` must be a non-negative integer")?,
        };
        let summary = map.get("summary").cloned().unwrap_or(Value::Null);
        if !(summary.is_null() || summary.is_string()) {
            return Err("action_dispatcher field `summary` must be a string or null".into());
        }
        let details = map.get("details").cloned().unwrap_or(Value::Null);
        Ok(Self {
            entities_affected,
            summary,
            details,
        })
    }

    /// The `executePlan` result of §4.4 step 6.
    pub(crate) fn tool_result(&self, resolved_actions: Vec<Value>) -> Value {
        let details = match &self.details {
            Value::Null => json!({"resolvedActions": resolved_actions}),
            Value::Object(map) => {
                let mut map = map.clone();
                map.entry("resolvedActions")
                    .or_insert_with(|| Value::Array(resolved_actions.clone()));
                Value::Object(map)
            }
            other => json!({"result": other, "resolvedActions": resolved_actions}),
        };
        json!({
            "details": details,
            "entitiesAffected": self.entities_affected,
            "resolvedActions": resolved_actions,
            "summary": self.summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_contract_messages() {
        assert_eq!(
            DispatchResult::from_return(Value::Null)
                .unwrap()
                .entities_affected,
            0
        );
        let cases = [
            (json!([1]), "action_dispatcher must return None or an object with required field `entitiesAffected`, optional `summary`, and optional `details`"),
            (json!({"entitiesAffected": 1, "rows": 2}), "action_dispatcher returned unexpected field `rows`; put domain-specific data under `details`"),
            (json!({"summary": "s"}), "action_dispatcher must return None or an object with required field `entitiesAffected` as a non-negative integer"),
            (json!({"entitiesAffected": -1}), "action_dispatcher field `entitiesAffected` must be a non-negative integer"),
            (json!({"entitiesAffected": 1.5}), "action_dispatcher field `entitiesAffected` must be a non-negative integer"),
            (json!({"entitiesAffected": 1, "summary": 3}), "action_dispatcher field `summary` must be a string or null"),
        ];
        for (value, message) in cases {
            assert_eq!(DispatchResult::from_return(value).unwrap_err(), message);
        }
    }

    #[test]
    fn details_gain_resolved_actions() {
        let actions = vec![json!({"payload": {}, "type": "a"})];
        let plain =
            DispatchResult::from_return(json!({"entitiesAffected": 1, "details": 7})).unwrap();
        assert_eq!(
            plain.tool_result(actions.clone())["details"],
            json!({"result": 7, "resolvedActions": actions})
        );
        let none = DispatchResult::from_return(json!({"entitiesAffected": 1})).unwrap();
        assert_eq!(
            none.tool_result(actions.clone())["details"],
            json!({"resolvedActions": actions})
        );
    }
}
