//! The effective approval policy of an agent (runtime-behavior §9.2) and rule evaluation.

use super::GateKind;
use crate::spec::{AgentSpec, ApprovalRule, RuntimeSpec};
use crate::tool::ToolBinding;
use futures::future::BoxFuture;
use serde_json::Value;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

/// What a dynamic predicate is told besides the arguments.
#[derive(Clone)]
pub struct PredicateContext {
    /// `tool` or `plan`.
    pub kind: GateKind,
    /// Tool name or plan id.
    pub target: String,
    /// Tenant resource id.
    pub tenant: String,
    /// The front end's per-run extension (the Python bridge runs predicates through it).
    pub host: Option<Arc<dyn Any + Send + Sync>>,
}

/// The registered dynamic approval predicates. `Err` from a predicate fails closed: the
/// error is printed to stderr and approval is required.
pub trait Predicates: Send + Sync {
    /// Whether a predicate is registered under `id`.
    fn contains(&self, id: &str) -> bool;
    /// Evaluates predicate `id` on `args`.
    fn evaluate(
        &self,
        id: &str,
        args: Value,
        ctx: PredicateContext,
    ) -> BoxFuture<'static, Result<bool, String>>;
}

type PredicateFn = dyn Fn(&Value, &PredicateContext) -> bool + Send + Sync;

/// Rust closures as predicates, keyed by id.
impl Predicates for HashMap<String, Arc<PredicateFn>> {
    fn contains(&self, id: &str) -> bool {
        self.contains_key(id)
    }

    fn evaluate(
        &self,
        id: &str,
        args: Value,
        ctx: PredicateContext,
    ) -> BoxFuture<'static, Result<bool, String>> {
        let verdict = match self.get(id) {
            Some(f) => Ok(f(&args, &ctx)),
            None => Err(format!(
                "dynamic approval predicate '{id}' is not registered"
            )),
        };
        Box::pin(async move { verdict })
    }
}

/// One agent's rules: plan channel, default tool channel, per-tool rules by tool name.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentPolicy {
    /// The `executePlan` gate rule.
    pub plans: ApprovalRule,
    /// The rule of tools without a per-tool rule.
    pub tools: ApprovalRule,
    /// Per-tool rules (a host tool's own rule, then `approvalOverrides.tools`; later wins).
    pub per_tool: HashMap<String, ApprovalRule>,
}

impl AgentPolicy {
    /// Resolves the policy of `agent` with its attached host tools.
    pub fn compile(
        spec: &RuntimeSpec,
        agent: &AgentSpec,
        bindings: &HashMap<String, ToolBinding>,
        attached: &[String],
    ) -> Self {
        let patch = spec.approval_overrides.agents.get(&agent.name);
        let plans = patch
            .and_then(|p| p.plans.clone())
            .unwrap_or_else(|| spec.approval_policies.plans.clone());
        let tools = patch
            .and_then(|p| p.tools.clone())
            .unwrap_or_else(|| spec.approval_policies.tools.clone());
        let mut per_tool = HashMap::new();
        for key in attached {
            if let Some(b) = bindings.get(key) {
                per_tool.insert(b.def.name.clone(), b.def.approval.clone());
            }
        }
        for (key, rule) in spec
            .approval_overrides
            .tools
            .get(&agent.name)
            .into_iter()
            .flatten()
        {
            // Overrides are keyed by binding key (Python) or tool name.
            let name = bindings
                .get(key)
                .map(|b| b.def.name.clone())
                .unwrap_or_else(|| key.clone());
            per_tool.insert(name, rule.clone());
        }
        Self {
            plans,
            tools,
            per_tool,
        }
    }

    /// The rule a call of tool `name` resolves to.
    pub fn tool_rule(&self, name: &str) -> &ApprovalRule {
        self.per_tool.get(name).unwrap_or(&self.tools)
    }
}

/// Whether `rule` requires approval for `args` (runtime-behavior §9.3).
pub(crate) async fn required(
    rule: &ApprovalRule,
    predicates: Option<&dyn Predicates>,
    args: &Value,
    ctx: PredicateContext,
) -> bool {
    match rule {
        ApprovalRule::Never => false,
        ApprovalRule::Always => true,
        ApprovalRule::Dynamic { value } => {
            let verdict = match predicates {
                Some(p) => p.evaluate(value, args.clone(), ctx).await,
                None => Err(format!(
                    "dynamic approval predicate '{value}' is not registered"
                )),
            };
            verdict.unwrap_or_else(|e| {
                eprintln!(
                    "flowai: approval predicate '{value}' failed ({e}); approval is required"
                );
                true
            })
        }
    }
}
