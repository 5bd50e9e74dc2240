//! Per-agent dispatcher composition (runtime-behavior §3.2-§3.4, construction checks 9-10):
//! role defaults, then each selected toolkit minus the defaults, then the agent's host tools.

use super::builtin::{role_defaults, toolkit_view};
use super::{Tool, ToolBinding};
use crate::spec::{AgentSpec, RuntimeSpec, SpecError, ToolkitSpec};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What answers a tool name in an agent's dispatcher.
#[derive(Clone)]
pub(crate) enum Slot {
    /// The `agents` toolkit's router.
    CallAgent,
    /// `storePlan`.
    StorePlan,
    /// `getPlan`.
    GetPlan,
    /// `executePlan`.
    ExecutePlan,
    /// `resolveRef`.
    ResolveRef,
    /// `glimpseRef`.
    GlimpseRef,
    /// A built-in whose toolkit has not landed in this release: calls get a tool error.
    Unavailable { toolkit: &'static str },
    /// A host tool (Rust closure, Python handler).
    Host(Arc<dyn Tool>, bool),
}

fn builtin_slot(name: &str, toolkit: &'static str) -> Slot {
    match name {
        "call_agent" => Slot::CallAgent,
        "storePlan" => Slot::StorePlan,
        "getPlan" => Slot::GetPlan,
        "executePlan" => Slot::ExecutePlan,
        "resolveRef" => Slot::ResolveRef,
        "glimpseRef" => Slot::GlimpseRef,
        _ => Slot::Unavailable { toolkit },
    }
}

/// What a model is told about one tool of an agent.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSchema {
    /// Tool name.
    pub name: String,
    /// One-sentence description.
    pub description: String,
    /// JSON Schema of the input.
    pub input_schema: serde_json::Value,
}

/// Builds the dispatcher table of `agent`. `bindings` maps binding keys to host tools and
/// `attached` lists the binding keys this agent uses.
pub(crate) fn compose(
    spec: &RuntimeSpec,
    agent: &AgentSpec,
    bindings: &HashMap<String, ToolBinding>,
    attached: &[String],
) -> Result<(BTreeMap<String, Slot>, Vec<ToolSchema>), SpecError> {
    let mut tools: BTreeMap<String, Slot> = BTreeMap::new();
    let mut defs = Vec::new();
    let mut describe = |name: &str, description: &str, schema: &serde_json::Value| {
        defs.push(ToolSchema {
            name: name.to_string(),
            description: description.to_string(),
            input_schema: schema.clone(),
        })
    };
    let mut owners: HashMap<String, String> = HashMap::new();
    for t in role_defaults(agent) {
        describe(t.name, t.description, &t.input_schema);
        tools.insert(t.name.to_string(), builtin_slot(t.name, t.toolkit));
        owners.insert(t.name.to_string(), format!("toolkit '{}'", t.toolkit));
    }
    for id in &agent.toolkits {
        let declared = spec.toolkits.iter().find(|t| &t.id == id);
        let toolkit = declared.cloned().unwrap_or(ToolkitSpec {
            id: id.clone(),
            config: None,
        });
        for t in toolkit_view(&toolkit, agent)? {
            if !tools.contains_key(t.name) {
                describe(t.name, t.description, &t.input_schema);
                tools.insert(t.name.to_string(), builtin_slot(t.name, t.toolkit));
                owners.insert(t.name.to_string(), format!("toolkit '{}'", t.toolkit));
            }
        }
    }
    let mut collisions = Vec::new();
    for key in attached {
        let binding = bindings
            .get(key)
            .ok_or_else(|| SpecError::ToolBinding(format!("tool binding '{key}' has no spec")))?;
        let name = &binding.def.name;
        if let Some(owner) = owners.get(name) {
            if *owner != format!("binding '{key}'") {
                collisions.push(format!("'{name}' ({owner} and binding '{key}')"));
            }
            continue;
        }
        describe(name, &binding.def.description, &binding.def.input_schema);
        tools.insert(
            name.clone(),
            Slot::Host(binding.tool.clone(), binding.def.idempotent),
        );
        owners.insert(name.clone(), format!("binding '{key}'"));
    }
    if !collisions.is_empty() {
        return Err(SpecError::Toolkit(format!(
            "dispatcher collisions: agent '{}': {}",
            agent.name,
            collisions.join(", ")
        )));
    }
    Ok((tools, defs))
}
