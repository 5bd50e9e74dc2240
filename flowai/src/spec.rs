//! The wire `RuntimeSpec`: the one Rust definition of what the Python models dump.
//!
//! Every struct here mirrors a Pydantic model of `flowai_harness` field for field, with the
//! same camelCase keys. Unknown keys are rejected (`deny_unknown_fields`), so a stale Python
//! facade that sends a key this engine does not know fails loudly instead of being ignored.
//!
//! # Examples
//!
//! ```
//! use flowai::spec::{AgentSpec, Role, RuntimeSpec};
//!
//! let spec: RuntimeSpec = serde_json::from_value(serde_json::json!({
//!     "tenant": {"resourceId": "acme", "version": "v1"},
//!     "agents": [{
//!         "name": "worker", "role": "specialist", "stateful": false,
//!         "model": {"id": "claude-sonnet-4-6", "provider": null},
//!         "systemPrompt": "You help.", "routes": [], "toolkits": []
//!     }],
//!     "providers": {"anthropic": {"apiKey": "unused"}}
//! })).unwrap();
//! assert_eq!(spec.agents[0].role, Role::Specialist);
//! assert_eq!(spec.tenant.resource_id, "acme");
//! # let _ = AgentSpec::specialist("x", "claude-sonnet-4-6", "p");
//! ```

// Only the runtime runs the construction checks; a spec-only build (the trybuild suite) does not.
mod schema;
#[cfg_attr(not(feature = "runtime"), allow(dead_code))]
pub(crate) mod validate;

pub use schema::inline_refs;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use validate::SpecError;

/// The tenant a runtime serves; every store key is partitioned by `resource_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantIdentity {
    /// Tenant resource id (non-empty).
    pub resource_id: String,
    /// Tenant version label (non-empty).
    pub version: String,
}

impl TenantIdentity {
    /// A tenant with the given resource id and version.
    pub fn new(resource_id: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            resource_id: resource_id.into(),
            version: version.into(),
        }
    }
}

/// The role of an agent; it decides the role-default tools and the stateful default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Entry agent of `query`; routes to others through `call_agent`.
    Coordinator,
    /// Drafts plans (`storePlan`, `getPlan`).
    Planner,
    /// Executes approved plans (`getPlan`, `executePlan`, references).
    Executor,
    /// A focused agent with its own tools; entry of `run_specialist`.
    Specialist,
}

impl Role {
    /// The lowercase wire name (`coordinator`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Planner => "planner",
            Role::Executor => "executor",
            Role::Specialist => "specialist",
        }
    }

    /// Whether agents of this role keep per-thread memory unless told otherwise.
    pub fn stateful_default(self) -> bool {
        matches!(self, Role::Coordinator | Role::Planner)
    }
}

/// A model id with an optional explicit provider key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Model id, e.g. `claude-sonnet-4-6`.
    pub id: String,
    /// Explicit provider key; `None` routes by id prefix.
    pub provider: Option<String>,
}

impl ModelSpec {
    /// The provider key this model routes to (runtime-behavior §7).
    ///
    /// ```
    /// use flowai::spec::ModelSpec;
    /// let m = ModelSpec { id: "gpt-4o".into(), provider: None };
    /// assert_eq!(m.provider_key(), "openai-compatible");
    /// ```
    pub fn provider_key(&self) -> &str {
        if let Some(p) = &self.provider {
            return p;
        }
        let id = self.id.as_str();
        if id.starts_with("claude-") {
            "anthropic"
        } else if id.starts_with("anthropic.") || id.starts_with("us.anthropic.") {
            "bedrock"
        } else if ["gpt-", "o1-", "o3-"].iter().any(|p| id.starts_with(p)) {
            "openai-compatible"
        } else {
            "anthropic"
        }
    }
}

/// One agent of the runtime, as `define_coordinator`/`define_specialist`/... dump it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentSpec {
    /// Unique agent name.
    pub name: String,
    /// The agent's role.
    pub role: Role,
    /// Whether the agent loads and stores per-thread memory.
    pub stateful: bool,
    /// The model the agent runs on.
    pub model: ModelSpec,
    /// The system prompt (after `# Tools` merging).
    pub system_prompt: String,
    /// Agents this one may start through `call_agent`.
    #[serde(default)]
    pub routes: Vec<String>,
    /// Toolkit ids selected on top of the role defaults.
    #[serde(default)]
    pub toolkits: Vec<String>,
    /// Upper bound on model steps per invocation (live interpreters; default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<u32>,
}

impl AgentSpec {
    fn new(name: &str, role: Role, model: &str, prompt: &str) -> Self {
        Self {
            name: name.into(),
            role,
            stateful: role.stateful_default(),
            model: ModelSpec {
                id: model.into(),
                provider: None,
            },
            system_prompt: prompt.into(),
            routes: Vec::new(),
            toolkits: Vec::new(),
            max_turns: None,
        }
    }

    /// A coordinator routing to `routes`.
    pub fn coordinator(name: &str, model: &str, prompt: &str, routes: &[&str]) -> Self {
        let mut a = Self::new(name, Role::Coordinator, model, prompt);
        a.routes = routes.iter().map(|r| r.to_string()).collect();
        a
    }

    /// A specialist.
    pub fn specialist(name: &str, model: &str, prompt: &str) -> Self {
        Self::new(name, Role::Specialist, model, prompt)
    }

    /// A planner (plans land with the plans toolkit).
    pub fn planner(name: &str, model: &str, prompt: &str) -> Self {
        Self::new(name, Role::Planner, model, prompt)
    }

    /// An executor (plans land with the plans toolkit).
    pub fn executor(name: &str, model: &str, prompt: &str) -> Self {
        Self::new(name, Role::Executor, model, prompt)
    }
}

/// A declared reference kind (schema-validated handles to large values).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferenceSpec {
    /// Reference kind name.
    pub name: String,
    /// JSON Schema of the referenced value.
    pub schema: Value,
    /// Time to live in milliseconds; `None` never expires.
    pub ttl_ms: Option<u64>,
}

/// A display alias of a plan status (carried for UIs; never substituted into events).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDisplayAlias {
    /// Canonical status.
    pub status: String,
    /// Display text.
    pub alias: String,
}

/// A declared plan shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanSpec {
    /// Plan spec name.
    pub name: String,
    /// JSON Schema of the whole plan body.
    pub schema: Value,
    /// Display aliases.
    #[serde(default)]
    pub display_aliases: Vec<PlanDisplayAlias>,
}

/// A toolkit declared once per runtime, with an optional config (`{"tools": [...]}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolkitSpec {
    /// `agents`, `plans`, `references` or `catalog`.
    pub id: String,
    /// Optional configuration; `null` means every tool.
    #[serde(default)]
    pub config: Option<Value>,
}

/// An approval rule: `never`, `always`, or a registered dynamic predicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ApprovalRule {
    /// Never gated.
    Never,
    /// Always gated.
    Always,
    /// Gated when the predicate registered under `value` returns true.
    Dynamic {
        /// Predicate id.
        value: String,
    },
}

/// The runtime approval floor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicies {
    /// Plan channel (the `executePlan` gate).
    pub plans: ApprovalRule,
    /// Tool channel (every tool call without a per-tool rule).
    pub tools: ApprovalRule,
}

impl Default for ApprovalPolicies {
    fn default() -> Self {
        Self {
            plans: ApprovalRule::Always,
            tools: ApprovalRule::Never,
        }
    }
}

/// An agent-level override of either channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicyPatch {
    /// Plan channel override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans: Option<ApprovalRule>,
    /// Tool channel override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ApprovalRule>,
}

/// Per-agent channel overrides and per-agent, per-tool rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalOverrides {
    /// Agent name → channel patch.
    #[serde(default)]
    pub agents: BTreeMap<String, ApprovalPolicyPatch>,
    /// Agent name → tool name → rule.
    #[serde(default)]
    pub tools: BTreeMap<String, BTreeMap<String, ApprovalRule>>,
}

/// One storage factory (`{"kind": ..., "config": ...}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageFactorySpec {
    /// Store kind.
    pub kind: String,
    /// Kind-specific configuration.
    #[serde(default)]
    pub config: Option<Value>,
}

/// Storage factories for the runtime's state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageFactories {
    /// Key-value store (and everything, when it is the only one set).
    #[serde(default)]
    pub kv: Option<StorageFactorySpec>,
    /// Plan store.
    #[serde(default)]
    pub plans: Option<StorageFactorySpec>,
    /// Agent memory store.
    #[serde(default)]
    pub memory: Option<StorageFactorySpec>,
}

/// The whole runtime spec, exactly as `RuntimeSpec.model_dump(by_alias=True, mode="json")`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeSpec {
    /// The tenant.
    pub tenant: TenantIdentity,
    /// Agents, in declaration order (errors name the first failing one).
    #[serde(default)]
    pub agents: Vec<AgentSpec>,
    /// Reference kinds.
    #[serde(default)]
    pub references: Vec<ReferenceSpec>,
    /// Plan specs.
    #[serde(default)]
    pub plans: Vec<PlanSpec>,
    /// Declared toolkits.
    #[serde(default)]
    pub toolkits: Vec<ToolkitSpec>,
    /// The approval floor.
    #[serde(default)]
    pub approval_policies: ApprovalPolicies,
    /// Overrides; omitted on the wire when both maps are empty.
    #[serde(default, skip_serializing_if = "ApprovalOverrides::is_empty")]
    pub approval_overrides: ApprovalOverrides,
    /// Storage factories.
    #[serde(default)]
    pub storage_factories: StorageFactories,
    /// Provider configs keyed by provider key, verbatim.
    #[serde(default)]
    pub providers: Map<String, Value>,
}

impl ApprovalOverrides {
    /// True when neither map has an entry.
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.tools.is_empty()
    }
}

impl RuntimeSpec {
    /// An empty spec for `tenant` with the placeholder `anthropic` provider the deterministic
    /// interpreters need (runtime-behavior §2).
    pub fn new(tenant: TenantIdentity) -> Self {
        let mut providers = Map::new();
        providers.insert("anthropic".into(), serde_json::json!({"apiKey": "unused"}));
        Self {
            tenant,
            agents: Vec::new(),
            references: Vec::new(),
            plans: Vec::new(),
            toolkits: Vec::new(),
            approval_policies: ApprovalPolicies::default(),
            approval_overrides: ApprovalOverrides::default(),
            storage_factories: StorageFactories::default(),
            providers,
        }
    }

    /// Parses the wire JSON; unknown keys are errors whose text contains `unknown field`.
    ///
    /// # Errors
    /// [`SpecError::Parse`] with serde's message.
    pub fn from_json(json: &str) -> Result<Self, SpecError> {
        serde_json::from_str(json).map_err(|e| SpecError::Parse(e.to_string()))
    }

    /// The agent named `name`.
    pub fn agent(&self, name: &str) -> Option<&AgentSpec> {
        self.agents.iter().find(|a| a.name == name)
    }
}
