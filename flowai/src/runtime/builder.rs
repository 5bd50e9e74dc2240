//! [`RuntimeBuilder`]: a runtime assembled in Rust.

use super::{Runtime, RuntimeOptions};
use crate::approval::Predicates;
use crate::interpreter::InterpreterKind;
use crate::plan::ActionDispatcher;
use crate::spec::{AgentSpec, RuntimeSpec, SpecError};
use crate::tool::{tool_fn, ToolBinding, ToolContext, ToolDef};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;

/// Assembles a [`Runtime`] in Rust: agents, closures as tools, the interpreter.
pub struct RuntimeBuilder {
    pub(super) spec: RuntimeSpec,
    pub(super) options: RuntimeOptions,
}

impl RuntimeBuilder {
    /// Adds an agent.
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.spec.agents.push(agent);
        self
    }

    /// Attaches an async closure as a tool of `agent`.
    pub fn tool<F, Fut>(mut self, agent: &str, def: ToolDef, f: F) -> Self
    where
        F: Fn(Value, ToolContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        // One binding per call: two closures with one name on one agent are a collision.
        let base = format!("{agent}/{}", def.binding_id);
        let taken = |k: &String| self.options.tools.iter().any(|b| &b.def.binding_id == k);
        let mut key = base.clone();
        for n in 2.. {
            if !taken(&key) {
                break;
            }
            key = format!("{base}#{n}");
        }
        let def = ToolDef {
            binding_id: key.clone(),
            ..def
        };
        self.options
            .agent_tools
            .entry(agent.to_string())
            .or_default()
            .push(key);
        self.options.tools.push(ToolBinding {
            def,
            tool: tool_fn(f),
        });
        self
    }

    /// Declares a reference kind (`RuntimeSpec.references`).
    pub fn reference(mut self, reference: crate::spec::ReferenceSpec) -> Self {
        self.spec.references.push(reference);
        self
    }

    /// Registers the dynamic approval predicates.
    pub fn predicates(mut self, predicates: Arc<dyn Predicates>) -> Self {
        self.options.predicates = Some(predicates);
        self
    }

    /// Sets the action dispatcher that carries out approved plans.
    pub fn action_dispatcher(mut self, dispatcher: Arc<dyn ActionDispatcher>) -> Self {
        self.options.action_dispatcher = Some(dispatcher);
        self
    }

    /// Adds a derived agent (`#[derive(Agent)]`) the way Python's `define_runtime` adds a
    /// `define_*` agent: its spec, its plan spec (once per name), its tools bound by name,
    /// and its per-tool approval rules in `approval_overrides.tools`.
    pub fn derived<A: crate::typed::Agent>(mut self) -> Self {
        let mut spec = A::agent_spec();
        if let Some(mut plan) = A::plan() {
            plan.schema = crate::spec::inline_refs(&plan.schema);
            if !self.spec.plans.iter().any(|p| p.name == plan.name) {
                self.spec.plans.push(plan);
            }
        }
        for id in &spec.toolkits {
            if !self.spec.toolkits.iter().any(|t| &t.id == id) {
                let toolkit = crate::spec::ToolkitSpec {
                    id: id.clone(),
                    config: None,
                };
                self.spec.toolkits.push(toolkit);
            }
        }
        let rules = A::tool_rules();
        if !rules.is_empty() {
            self.spec
                .approval_overrides
                .tools
                .insert(spec.name.clone(), rules);
        }
        let bindings = A::tool_bindings();
        spec.system_prompt = prompt_with_tool_rows(&self.spec, &spec, &bindings);
        for binding in bindings {
            let key = binding.def.binding_id.clone();
            self.options
                .agent_tools
                .entry(spec.name.clone())
                .or_default()
                .push(key.clone());
            if !self.options.tools.iter().any(|b| b.def.binding_id == key) {
                self.options.tools.push(binding);
            }
        }
        self.spec.agents.push(spec);
        self
    }

    /// Selects the interpreter.
    pub fn interpreter(mut self, kind: InterpreterKind) -> Self {
        self.options.interpreter = kind;
        self
    }

    /// Keeps all runtime state (runs, journal, plans, approvals, memory, references) in
    /// `store`. Two runtimes built on one durable store share that state: a run paused on
    /// one can be approved and resumed on the other.
    ///
    /// ```
    /// use flowai::store::{MemoryStore, Store};
    /// use flowai::{AgentSpec, Runtime, TenantIdentity};
    /// use std::sync::Arc;
    ///
    /// let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    /// let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
    ///     .agent(AgentSpec::specialist("w", "claude-sonnet-4-6", ""))
    ///     .store(store)
    ///     .build()
    ///     .unwrap();
    /// assert!(runtime.list_runs(&Default::default()).unwrap().is_empty());
    /// ```
    pub fn store(mut self, store: Arc<dyn crate::store::Store>) -> Self {
        self.options.store = Some(store);
        self
    }

    /// Mutable access to the spec for anything the builder has no method for.
    pub fn spec_mut(&mut self) -> &mut RuntimeSpec {
        &mut self.spec
    }

    /// Validates and builds the runtime.
    ///
    /// # Errors
    /// As [`Runtime::new`].
    pub fn build(self) -> Result<Runtime, SpecError> {
        Runtime::new(self.spec, self.options)
    }
}

/// The agent's prompt with one `# Tools` row per tool it can call, as `define_runtime` merges
/// them (python-api §11.3): role defaults and toolkit tools labelled `runtime`, then its
/// own tools with their approval kind.
fn prompt_with_tool_rows(
    spec: &RuntimeSpec,
    agent: &AgentSpec,
    bindings: &[ToolBinding],
) -> String {
    use crate::prompt::{LayeredPrompt, ToolRow};
    use crate::spec::ApprovalRule;
    use crate::tool::builtin::{role_defaults, toolkit_view};
    let mut rows: Vec<ToolRow> = role_defaults(agent)
        .iter()
        .map(|t| ToolRow::new(t.name, t.description, "runtime"))
        .collect();
    for toolkit in spec
        .toolkits
        .iter()
        .filter(|t| agent.toolkits.contains(&t.id))
    {
        for t in toolkit_view(toolkit, agent).unwrap_or_default() {
            rows.push(ToolRow::new(t.name, t.description, "runtime"));
        }
    }
    for b in bindings {
        let label = match &b.def.approval {
            ApprovalRule::Never => "never",
            ApprovalRule::Always => "always",
            ApprovalRule::Dynamic { .. } => "dynamic",
        };
        rows.push(ToolRow::new(
            b.def.name.clone(),
            b.def.description.clone(),
            label,
        ));
    }
    if rows.is_empty() {
        return agent.system_prompt.clone();
    }
    LayeredPrompt::augment_tools(&agent.system_prompt, &rows).text
}
