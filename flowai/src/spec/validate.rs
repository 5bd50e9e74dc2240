//! Construction checks of a [`RuntimeSpec`] with the exact texts of runtime-behavior §2.

use super::{ApprovalRule, RuntimeSpec};
use std::collections::{BTreeSet, HashSet};

/// Why a spec or a runtime construction was refused. The `Display` text is the exact message
/// of the contract (runtime-behavior §2); the Python front end raises it as `ValueError`,
/// except [`SpecError::Unsupported`] (`NotImplementedError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The spec JSON did not parse (check 1).
    #[error("{0}")]
    Parse(String),
    /// Check 2.
    #[error(
        "unknown interpreter '{0}'; expected noop, scripted, anthropic, openai, live, or replay"
    )]
    UnknownInterpreter(String),
    /// Check 3.
    #[error("interpreter='anthropic' requires an anthropic provider")]
    AnthropicProviderMissing,
    /// Check 4.
    #[error(
        "anthropic provider requires apiKey or apiKeyEnv resolving to an environment variable"
    )]
    AnthropicCredential,
    /// Check 5.
    #[error("invalid data_environment: {0}")]
    DataEnvironment(String),
    /// Check 6.
    #[error("agent spec invalid: {0}")]
    Agent(String),
    /// Check 7.
    #[error("reference registry error: {0}")]
    ReferenceRegistry(String),
    /// Check 8.
    #[error("plan registry error: {0}")]
    PlanRegistry(String),
    /// Check 9.
    #[error("toolkit composition error: {0}")]
    Toolkit(String),
    /// Check 10.
    #[error("agent '{0}' uses the catalog toolkit, but catalog search is not configured; pass data_environment.catalog_search.index_path or inject a CatalogSearchBackend")]
    CatalogSearch(String),
    /// Check 11.
    #[error("agent '{agent}' references provider '{provider}' for model '{model}', but no such provider is declared in RuntimeSpec.providers")]
    ProviderMissing {
        /// Agent name.
        agent: String,
        /// Provider key.
        provider: String,
        /// Model id.
        model: String,
    },
    /// Check 12.
    #[error("agent '{agent}' references provider '{provider}' for model '{model}', but no ChatInterpreter is registered for that provider")]
    NoInterpreter {
        /// Agent name.
        agent: String,
        /// Provider key.
        provider: String,
        /// Model id.
        model: String,
    },
    /// Check 13.
    #[error("approval policy error: {0}")]
    ApprovalPolicy(String),
    /// A host tool binding that does not line up with its spec or handler.
    #[error("{0}")]
    ToolBinding(String),
    /// A provider config or cassette that cannot be used.
    #[error("{0}")]
    Provider(String),
    /// A store that cannot be opened (`storage_factories`, `data_environment.kv`).
    #[error("{0}")]
    Storage(String),
    /// A valid request for a capability this build does not provide yet.
    #[error("{0} is not implemented yet in this release of flowai")]
    Unsupported(String),
}

/// Check 6: the spec invariants, re-checked natively.
pub(crate) fn check_agents(spec: &RuntimeSpec) -> Result<(), SpecError> {
    let agent = |m: String| Err(SpecError::Agent(m));
    let mut names = HashSet::new();
    for a in &spec.agents {
        if !names.insert(a.name.as_str()) {
            return agent(format!("duplicate agent name '{}'", a.name));
        }
    }
    let coordinators = spec
        .agents
        .iter()
        .filter(|a| a.role == super::Role::Coordinator);
    if coordinators.count() > 1 {
        return agent("multiple coordinator agents are not supported".into());
    }
    for a in &spec.agents {
        if a.role == super::Role::Coordinator && a.routes.is_empty() {
            return agent(format!(
                "coordinator agent '{}' requires at least one route",
                a.name
            ));
        }
        let mut seen = HashSet::new();
        for r in &a.routes {
            if *r == a.name {
                return agent(format!("agent '{}' cannot route to itself", a.name));
            }
            if !seen.insert(r.as_str()) {
                return agent(format!(
                    "agent '{}' declares duplicate route '{}'",
                    a.name, r
                ));
            }
            if !names.contains(r.as_str()) {
                return agent(format!(
                    "agent '{}' declares unknown route target '{}'",
                    a.name, r
                ));
            }
        }
    }
    let unknown = |keys: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        keys.filter(|k| !names.contains(k.as_str()))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let overrides = &spec.approval_overrides;
    for (channel, missing) in [
        ("agents", unknown(&mut overrides.agents.keys())),
        ("tools", unknown(&mut overrides.tools.keys())),
    ] {
        if !missing.is_empty() {
            let list = serde_json::to_string(&missing).expect("strings serialize");
            return agent(format!(
                "approvalOverrides.{channel} references unknown agent(s): {}",
                list.replace("\",\"", "\", \"")
            ));
        }
    }
    Ok(())
}

/// A compiled JSON Schema (nothing without the `runtime` feature).
#[cfg(feature = "runtime")]
pub(crate) type Compiled = jsonschema::Validator;
#[cfg(not(feature = "runtime"))]
pub(crate) type Compiled = ();

/// The validators checks 7 and 8 compiled, by reference kind and plan spec name, kept so
/// the runtime compiles each schema once.
pub(crate) struct Registries {
    pub(crate) references: std::collections::HashMap<String, Compiled>,
    pub(crate) plans: std::collections::HashMap<String, Compiled>,
}

/// Checks 7 and 8: unique names and schemas that compile.
// Without the engine a compiled schema is `()`.
#[cfg_attr(not(feature = "runtime"), allow(clippy::let_unit_value))]
pub(crate) fn check_registries(spec: &RuntimeSpec) -> Result<Registries, SpecError> {
    let mut compiled = Registries {
        references: Default::default(),
        plans: Default::default(),
    };
    let mut seen = HashSet::new();
    for r in &spec.references {
        if !seen.insert(r.name.as_str()) {
            return Err(SpecError::ReferenceRegistry(format!(
                "duplicate reference spec name: {}",
                r.name
            )));
        }
        let validator = compile_schema(&r.schema).map_err(|e| {
            SpecError::ReferenceRegistry(format!(
                "schema compilation failed for kind '{}': {e}",
                r.name
            ))
        })?;
        compiled.references.insert(r.name.clone(), validator);
    }
    let mut seen = HashSet::new();
    for p in &spec.plans {
        if !seen.insert(p.name.as_str()) {
            return Err(SpecError::PlanRegistry(format!(
                "duplicate plan spec name: {}",
                p.name
            )));
        }
        let validator = compile_schema(&p.schema).map_err(|e| {
            SpecError::PlanRegistry(format!(
                "schema compilation failed for spec '{}': {e}",
                p.name
            ))
        })?;
        compiled.plans.insert(p.name.clone(), validator);
    }
    Ok(compiled)
}

/// Compiles a JSON Schema as draft 2020-12 unless it declares `$schema`.
#[cfg(feature = "runtime")]
pub(crate) fn compile_schema(schema: &serde_json::Value) -> Result<Compiled, String> {
    let declares_draft = schema.get("$schema").is_some();
    let mut options = jsonschema::options();
    if !declares_draft {
        options = options.with_draft(jsonschema::Draft::Draft202012);
    }
    options.build(schema).map_err(|e| e.to_string())
}

#[cfg(not(feature = "runtime"))]
pub(crate) fn compile_schema(_schema: &serde_json::Value) -> Result<Compiled, String> {
    Ok(())
}

/// Checks 11 and 12: every agent's model routes to a declared provider with an interpreter.
/// `transports` are the provider keys this runtime can serve (`anthropic` for the
/// deterministic interpreters; `anthropic`, `openai-compatible` for `live`).
pub(crate) fn check_providers(spec: &RuntimeSpec, transports: &[&str]) -> Result<(), SpecError> {
    for a in &spec.agents {
        let provider = a.model.provider_key();
        let err = |missing: bool| {
            let (agent, provider, model) =
                (a.name.clone(), provider.to_string(), a.model.id.clone());
            if missing {
                SpecError::ProviderMissing {
                    agent,
                    provider,
                    model,
                }
            } else {
                SpecError::NoInterpreter {
                    agent,
                    provider,
                    model,
                }
            }
        };
        if !spec.providers.contains_key(provider) {
            return Err(err(true));
        }
        if !transports.contains(&provider) {
            return Err(err(false));
        }
    }
    Ok(())
}

/// Check 13: every dynamic rule of the floor and the overrides names a registered predicate.
pub(crate) fn check_predicates(
    spec: &RuntimeSpec,
    registered: &dyn Fn(&str) -> bool,
) -> Result<(), SpecError> {
    let o = &spec.approval_overrides;
    let floor = [&spec.approval_policies.plans, &spec.approval_policies.tools];
    let patches = o
        .agents
        .values()
        .flat_map(|p| p.plans.iter().chain(p.tools.iter()));
    let tools = o.tools.values().flat_map(|m| m.values());
    for rule in floor.into_iter().chain(patches).chain(tools) {
        if let ApprovalRule::Dynamic { value } = rule {
            if !registered(value) {
                return Err(SpecError::ApprovalPolicy(format!(
                    "dynamic approval predicate '{value}' is not registered"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AgentSpec, TenantIdentity};

    fn spec(agents: Vec<AgentSpec>) -> RuntimeSpec {
        let mut s = RuntimeSpec::new(TenantIdentity::new("acme", "v1"));
        s.agents = agents;
        s
    }

    #[test]
    fn agent_invariants_have_exact_messages() {
        let m = "claude-sonnet-4-6";
        let cases = [
            (
                vec![
                    AgentSpec::specialist("a", m, ""),
                    AgentSpec::specialist("a", m, ""),
                ],
                "agent spec invalid: duplicate agent name 'a'",
            ),
            (
                vec![AgentSpec::coordinator("c", m, "", &["c"])],
                "agent spec invalid: agent 'c' cannot route to itself",
            ),
            (
                vec![AgentSpec::coordinator("c", m, "", &["x"])],
                "agent spec invalid: agent 'c' declares unknown route target 'x'",
            ),
            (
                vec![AgentSpec::coordinator("c", m, "", &[])],
                "agent spec invalid: coordinator agent 'c' requires at least one route",
            ),
        ];
        for (agents, message) in cases {
            assert_eq!(
                check_agents(&spec(agents)).unwrap_err().to_string(),
                message
            );
        }
        let mut dup = AgentSpec::coordinator("c", m, "", &["w", "w"]);
        dup.routes.push("w".into());
        let s = spec(vec![dup, AgentSpec::specialist("w", m, "")]);
        assert_eq!(
            check_agents(&s).unwrap_err().to_string(),
            "agent spec invalid: agent 'c' declares duplicate route 'w'"
        );
    }

    #[test]
    fn unknown_override_agents_are_listed_sorted() {
        let mut s = spec(vec![AgentSpec::specialist("w", "claude-x", "")]);
        s.approval_overrides
            .tools
            .insert("zed".into(), Default::default());
        s.approval_overrides
            .tools
            .insert("ghost".into(), Default::default());
        assert_eq!(
            check_agents(&s).unwrap_err().to_string(),
            "agent spec invalid: approvalOverrides.tools references unknown agent(s): [\"ghost\", \"zed\"]"
        );
    }

    #[test]
    fn provider_checks_name_agent_provider_and_model() {
        let mut s = spec(vec![AgentSpec::specialist("w", "gpt-4o", "")]);
        assert!(check_providers(&s, &["anthropic"])
            .unwrap_err()
            .to_string()
            .contains("no such provider is declared"));
        s.providers
            .insert("openai-compatible".into(), serde_json::json!({}));
        assert_eq!(
            check_providers(&s, &["anthropic"]).unwrap_err().to_string(),
            "agent 'w' references provider 'openai-compatible' for model 'gpt-4o', but no ChatInterpreter is registered for that provider"
        );
    }

    #[test]
    fn dynamic_floor_needs_a_registered_predicate() {
        let mut s = spec(vec![]);
        s.approval_policies.tools = ApprovalRule::Dynamic { value: "p".into() };
        assert_eq!(
            check_predicates(&s, &|_| false).unwrap_err().to_string(),
            "approval policy error: dynamic approval predicate 'p' is not registered"
        );
        assert!(check_predicates(&s, &|id| id == "p").is_ok());
    }

    #[test]
    fn registries_reject_duplicates_and_bad_schemas() {
        let mut s = spec(vec![]);
        s.plans.push(crate::spec::PlanSpec {
            name: "P".into(),
            schema: serde_json::json!({"type": 12}),
            display_aliases: vec![],
        });
        let msg = check_registries(&s).err().expect("refused").to_string();
        assert!(
            msg.starts_with("plan registry error: schema compilation failed for spec 'P': "),
            "{msg}"
        );
        s.plans[0].schema = serde_json::json!({"type": "object"});
        s.plans.push(s.plans[0].clone());
        assert_eq!(
            check_registries(&s).err().expect("refused").to_string(),
            "plan registry error: duplicate plan spec name: P"
        );
    }
}
