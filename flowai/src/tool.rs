//! Tools: the [`Tool`] trait host code implements, the [`ToolContext`] a call receives, and
//! the built-in toolkits (`agents`, `plans`, `references`, `catalog`).
//!
//! # Examples
//!
//! A Rust closure as a tool:
//!
//! ```
//! use flowai::tool::{tool_fn, ToolDef};
//! use serde_json::json;
//!
//! let (def, _tool) = (
//!     ToolDef::new("search_products", json!({"type": "object"})),
//!     tool_fn(|args, _ctx| async move { Ok(json!({"query": args["query"]})) }),
//! );
//! assert_eq!(def.name, "search_products");
//! ```

pub mod builtin;
pub(crate) mod compose;
pub use compose::ToolSchema;

use crate::event::StreamPart;
use crate::spec::ApprovalRule;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::any::Any;
use std::future::Future;
use std::sync::Arc;

/// What the model sees of a host tool, plus its approval rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    /// Name the model calls.
    pub name: String,
    /// One-sentence description.
    pub description: String,
    /// JSON Schema of the arguments.
    pub input_schema: Value,
    /// The tool's own approval rule (`never` by default).
    pub approval: ApprovalRule,
    /// Binding key (`binding_id` or the name) that agents attach it by.
    pub binding_id: String,
    /// Whether running it twice with the same arguments has the effect of running it once.
    /// An idempotent call interrupted by a dying process simply runs again on resume; any
    /// other one surfaces as in doubt (`data-tool-in-doubt` and an approval).
    pub idempotent: bool,
}

impl ToolDef {
    /// A tool definition with an empty description and the `never` rule.
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        let name = name.into();
        Self {
            binding_id: name.clone(),
            name,
            description: String::new(),
            input_schema,
            approval: ApprovalRule::Never,
            idempotent: false,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Declares the tool idempotent (see [`ToolDef::idempotent`]).
    ///
    /// ```
    /// let def = flowai::ToolDef::new("lookup", serde_json::json!({"type": "object"})).idempotent();
    /// assert!(def.idempotent);
    /// ```
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

/// Where a tool call happens: ids of the call, agent, thread and tenant, plus the front end's
/// per-run extension (the Python bridge keeps its callback queue there).
#[derive(Clone)]
pub struct ToolContext {
    /// The tool-use id of this call (`scripted-tool-1`, a provider id, ...).
    pub tool_use_id: String,
    /// The calling agent.
    pub agent_name: String,
    /// The calling agent's thread (derived for sub-agents).
    pub thread_id: String,
    /// The tenant resource id.
    pub resource_id: String,
    pub(crate) host: Option<Arc<dyn Any + Send + Sync>>,
    pub(crate) references: crate::reference::References,
}

impl ToolContext {
    /// The reference API bound to the runtime tenant (`ctx.references` in Python).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn f(ctx: flowai::ToolContext) -> Result<(), flowai::ReferenceError> {
    /// let handle = ctx.references().create("ProductSet", serde_json::json!({"ids": []}), serde_json::json!({}))?;
    /// let value = ctx.references().resolve("ProductSet", handle["id"].as_str().unwrap())?;
    /// # let _ = value; Ok(()) }
    /// ```
    pub fn references(&self) -> &crate::reference::References {
        &self.references
    }

    /// The front end's per-run extension, if it is a `T`.
    pub fn host<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.host.as_deref().and_then(|h| h.downcast_ref::<T>())
    }
}

/// The result of a tool call: JSON content, an error flag, and events the dispatcher emits
/// just before the result (`data-flow-ui`, display summaries).
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutput {
    /// Result content.
    pub content: Value,
    /// True for error results (`{"error": ...}` or an approval rejection).
    pub is_error: bool,
    /// Events emitted before the `tool-invocation` result.
    pub events: Vec<StreamPart>,
}

impl ToolOutput {
    /// A successful result.
    pub fn ok(content: Value) -> Self {
        Self {
            content,
            is_error: false,
            events: Vec::new(),
        }
    }

    /// An error result `{"error": message}`.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            content: json!({"error": message.into()}),
            is_error: true,
            events: Vec::new(),
        }
    }
}

/// A tool the host provides. The future must not assume which thread polls it.
pub trait Tool: Send + Sync + 'static {
    /// Runs the tool with the decoded arguments.
    fn call(&self, args: Value, ctx: ToolContext) -> BoxFuture<'static, ToolOutput>;

    /// Whether every call waits on the host before it can finish (a handler that runs on
    /// the host's own thread, like a Python function). A durable run then commits what it
    /// buffered together with the call's durable start: the consumer reads those events
    /// while the call waits anyway, and one commit is cheaper than two. The default,
    /// `false`, commits the start alone, which suits a handler that may finish at once.
    fn waits_on_host(&self) -> bool {
        false
    }
}

struct FnTool<F>(F);

impl<F, Fut> Tool for FnTool<F>
where
    F: Fn(Value, ToolContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    fn call(&self, args: Value, ctx: ToolContext) -> BoxFuture<'static, ToolOutput> {
        let fut = (self.0)(args, ctx);
        Box::pin(async move {
            match fut.await {
                Ok(v) => ToolOutput::ok(v),
                Err(e) => ToolOutput::error(e),
            }
        })
    }
}

/// Wraps an async closure as a [`Tool`]: `Ok(value)` is the result, `Err(text)` an error
/// result `{"error": text}` (the run goes on).
pub fn tool_fn<F, Fut>(f: F) -> Arc<dyn Tool>
where
    F: Fn(Value, ToolContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, String>> + Send + 'static,
{
    Arc::new(FnTool(f))
}

/// A host tool with its definition, as registered with a runtime.
#[derive(Clone)]
pub struct ToolBinding {
    /// The definition.
    pub def: ToolDef,
    /// The implementation.
    pub tool: Arc<dyn Tool>,
}
