//! Typed agents, tools and plans for Rust users: derives that produce exactly the wire
//! specs Python's `define_*` helpers produce, with mistakes caught by the compiler.
//!
//! * [`#[derive(Tool)]`](macro@Tool) on an argument struct implements [`ToolArgs`];
//!   [`#[tool]`](macro@tool) on an `async fn` generates a [`TypedTool`] type.
//! * [`#[derive(Action)]`](macro@Action) on a `#[serde(tag = "kind")]` enum implements
//!   [`Action`]; [`#[derive(Plan)]`](macro@Plan) on a struct with `actions: Vec<A>`
//!   implements [`Plan`].
//! * [`#[derive(Agent)]`](macro@Agent) implements [`Agent`]: role, model, prompt, routes
//!   as types (a route that is not an agent does not compile), tools, plan, approvals.
//!
//! # Examples
//!
//! ```
//! use flowai::typed::{Action, Agent, Plan};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema, Action)]
//! #[serde(tag = "kind", rename_all = "snake_case")]
//! enum PricingAction { PriceChange { sku: String, price: f64 } }
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
//! struct PricingPlan { actions: Vec<PricingAction> }
//!
//! #[derive(Agent)]
//! #[flowai(role = "planner", model = "claude-sonnet-4-6", prompt = "Plan.", plan = PricingPlan)]
//! struct ScenarioPlanner;
//!
//! #[derive(Agent)]
//! #[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.", routes(ScenarioPlanner))]
//! struct Coordinator;
//!
//! let spec = Coordinator::agent_spec();
//! assert_eq!(spec.routes, ["scenario_planner"]);
//! assert_eq!(
//!     serde_json::to_string(&ScenarioPlanner::agent_spec()).unwrap(),
//!     r#"{"name":"scenario_planner","role":"planner","stateful":true,"model":{"id":"claude-sonnet-4-6","provider":null},"systemPrompt":"Plan.","routes":[],"toolkits":[]}"#
//! );
//! assert_eq!(ScenarioPlanner::plan().unwrap().name, "PricingPlan");
//! ```

mod plan;
mod tool;

pub use flowai_macros::{tool, Action, Agent, Plan, Tool};
pub use plan::{Action, Plan};
pub use tool::{
    ApprovalPredicate, CallContext, ToolArgs, ToolFuture, ToolRef, ToolResult, TypedTool,
};

#[doc(hidden)]
pub use tool::{check_predicate, decode_args};

use crate::spec::{AgentSpec, ApprovalPolicyPatch, ApprovalRule, PlanSpec, Role};
use schemars::JsonSchema;
use serde_json::Value;
use std::collections::BTreeMap;

/// The JSON Schema of `T` as schemars generates it (draft 2020-12, `$defs` kept).
///
/// ```
/// let schema = flowai::typed::schema_of::<Vec<u8>>();
/// assert_eq!(schema["type"], "array");
/// ```
pub fn schema_of<T: JsonSchema>() -> Value {
    schemars::SchemaGenerator::default()
        .into_root_schema_for::<T>()
        .to_value()
}

/// An agent of the runtime. Derive it with [`#[derive(Agent)]`](macro@Agent); the derive
/// is the only supported implementation.
///
/// # Examples
///
/// ```
/// use flowai::spec::{ApprovalRule, Role};
/// use flowai::typed::Agent;
///
/// /// Answers catalog questions.
/// #[derive(Agent)]
/// #[flowai(
///     role = "specialist",
///     model = "claude-sonnet-4-6",
///     prompt = "Answer.",
///     approval(tools = "always", plans = "default"),
///     tool_approvals(execute_query = "never"),
///     max_turns = 4
/// )]
/// struct CatalogReader;
///
/// assert_eq!(CatalogReader::NAME, "catalog_reader");
/// assert_eq!(CatalogReader::ROLE, Role::Specialist);
/// let patch = CatalogReader::approval().unwrap();
/// assert_eq!((patch.plans, patch.tools), (None, Some(ApprovalRule::Always)));
/// assert_eq!(CatalogReader::tool_rules()["execute_query"], ApprovalRule::Never);
/// assert_eq!(CatalogReader::agent_spec().max_turns, Some(4));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an agent",
    label = "not an agent",
    note = "derive it with `#[derive(flowai::typed::Agent)]`"
)]
pub trait Agent {
    /// The agent name (snake_case of the type unless `name = "..."`).
    const NAME: &'static str;
    /// The agent's role.
    const ROLE: Role;
    /// The tools bound to this agent (`tools(...)`).
    const TOOLS: &'static [ToolRef] = &[];

    /// The wire `AgentSpec`, exactly as the matching `define_*` helper dumps it.
    fn agent_spec() -> AgentSpec;

    /// The plan spec of a planner or executor.
    fn plan() -> Option<PlanSpec> {
        None
    }

    /// The agent-level approval patch (`approval(...)`), `"default"` channels left out.
    fn approval() -> Option<ApprovalPolicyPatch> {
        None
    }

    /// The explicit per-tool rules (`tool_approvals(...)`).
    fn tool_approvals() -> BTreeMap<String, ApprovalRule> {
        BTreeMap::new()
    }

    /// The agent's row of `approval_overrides.tools`: each tool's own rule, then the
    /// explicit `tool_approvals` (which win), as `define_runtime` computes it.
    fn tool_rules() -> BTreeMap<String, ApprovalRule> {
        let mut rules: BTreeMap<String, ApprovalRule> = Self::TOOLS
            .iter()
            .map(|t| (t.name().to_string(), t.approval()))
            .collect();
        rules.extend(Self::tool_approvals());
        rules
    }

    /// The bindings of [`TOOLS`](Agent::TOOLS), for `RuntimeBuilder::tool`.
    #[cfg(feature = "runtime")]
    fn tool_bindings() -> Vec<crate::tool::ToolBinding> {
        Self::TOOLS.iter().map(ToolRef::binding).collect()
    }
}

/// What `#[flowai(prompt = ...)]` of `#[derive(Agent)]` accepts: text (`&str`, `String`)
/// or a rendered [`LayeredPrompt`](crate::prompt::LayeredPrompt), whose text becomes the
/// system prompt.
///
/// ```
/// use flowai::prompt::LayeredPrompt;
/// use flowai::typed::{Agent, IntoPrompt};
///
/// fn prompt() -> LayeredPrompt {
///     LayeredPrompt::builder("You answer product questions.")
///         .operational_rules("Quote prices from tools only.")
///         .build()
/// }
///
/// #[derive(Agent)]
/// #[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = prompt())]
/// struct ProductInsights;
///
/// assert_eq!(ProductInsights::agent_spec().system_prompt, prompt().text);
/// assert_eq!("text".into_prompt(), "text");
/// ```
pub trait IntoPrompt {
    /// The system prompt text.
    fn into_prompt(self) -> String;
}

impl IntoPrompt for &str {
    fn into_prompt(self) -> String {
        self.to_string()
    }
}

impl IntoPrompt for String {
    fn into_prompt(self) -> String {
        self
    }
}

#[cfg(feature = "runtime")]
impl IntoPrompt for crate::prompt::LayeredPrompt {
    fn into_prompt(self) -> String {
        self.text
    }
}

/// Builds the wire `AgentSpec` of a derived agent (generated code calls this).
#[doc(hidden)]
pub struct AgentParts {
    pub name: &'static str,
    pub role: Role,
    pub stateful: Option<bool>,
    pub model: String,
    pub provider: Option<String>,
    pub prompt: String,
    pub routes: Vec<&'static str>,
    pub toolkits: Vec<&'static str>,
    pub max_turns: Option<u32>,
}

impl AgentParts {
    #[doc(hidden)]
    pub fn build(self) -> AgentSpec {
        let mut spec = AgentSpec::specialist(self.name, &self.model, &self.prompt);
        spec.role = self.role;
        spec.stateful = self.stateful.unwrap_or(self.role.stateful_default());
        spec.model.provider = self.provider;
        spec.routes = self.routes.into_iter().map(str::to_string).collect();
        spec.toolkits = self.toolkits.into_iter().map(str::to_string).collect();
        spec.max_turns = self.max_turns;
        spec
    }
}

/// An approval patch from optional channel rules (generated code calls this).
#[doc(hidden)]
pub fn approval_patch(
    plans: Option<ApprovalRule>,
    tools: Option<ApprovalRule>,
) -> ApprovalPolicyPatch {
    ApprovalPolicyPatch { plans, tools }
}

/// Compile-time checks the derives emit at the user's tokens, so a missing impl is
/// reported on the route, tool or plan type itself.
#[doc(hidden)]
pub mod assert {
    /// `T` must be an agent.
    pub const fn agent<T: super::Agent + ?Sized>() {}
    /// `T` must be a plan.
    pub const fn plan<T: super::Plan>() {}
    /// `T` must be an action.
    pub const fn action<T: super::Action>() {}
    /// `T` must be a typed tool.
    pub const fn typed_tool<T: super::TypedTool>() {}
    /// `T` must be a tool argument struct.
    pub const fn tool_args<T: super::ToolArgs>() {}
    /// `T` must be a tool result.
    pub const fn tool_result<T: super::ToolResult>() {}
}
