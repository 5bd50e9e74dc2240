//! Per-agent dispatcher composition (runtime-behavior §3.2-§3.4, construction checks 9-10):
//! role defaults, then each selected toolkit minus the defaults, then the agent's host tools.

use super::builtin::{role_defaults, toolkit_view};
use super::{Tool, ToolBinding};
use crate::spec::{AgentSpec, ApprovalRule, RuntimeSpec, SpecError, ToolkitSpec};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What answers a tool name in an agent's dispatcher.
#[derive(Clone)]
pub(crate) enum Slot {
    /// The `agents` toolkit's router.
    CallAgent,
    /// A built-in whose toolkit has not landed in this release: calls get a tool error.
    Unavailable { toolkit: &'static str },
    /// A host tool (Rust closure, Python handler).
    Host(Arc<dyn Tool>),
}

fn builtin_slot(name: &str, toolkit: &'static str) -> Slot {
    if name == "call_agent" {
        Slot::CallAgent
    } else {
        Slot::Unavailable { toolkit }
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
        tools.insert(name.clone(), Slot::Host(binding.tool.clone()));
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

/// The tool rules of `agent` that are not `never`: per-tool rules of its host tools and
/// `approvalOverrides.tools`, or its tool channel when some tool has no per-tool rule.
pub(crate) fn gated_rules(
    spec: &RuntimeSpec,
    agent: &AgentSpec,
    tools: &BTreeMap<String, Slot>,
    bindings: &HashMap<String, ToolBinding>,
    attached: &[String],
) -> Vec<String> {
    let mut per_tool: HashMap<&str, &ApprovalRule> = HashMap::new();
    for key in attached {
        if let Some(b) = bindings.get(key) {
            per_tool.insert(b.def.name.as_str(), &b.def.approval);
        }
    }
    let overrides = spec.approval_overrides.tools.get(&agent.name);
    for (name, rule) in overrides.into_iter().flatten() {
        let name = bindings
            .get(name)
            .map(|b| b.def.name.as_str())
            .unwrap_or(name);
        per_tool.insert(name, rule);
    }
    let channel = spec
        .approval_overrides
        .agents
        .get(&agent.name)
        .and_then(|p| p.tools.as_ref())
        .unwrap_or(&spec.approval_policies.tools);
    tools
        .keys()
        .filter(|name| **per_tool.get(name.as_str()).unwrap_or(&channel) != ApprovalRule::Never)
        .map(|name| format!("'{}' on agent '{}'", name, agent.name))
        .collect()
}
