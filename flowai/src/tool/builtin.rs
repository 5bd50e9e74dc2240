//! The built-in toolkits: names, descriptions, input schemas, and which roles see what.
//!
//! Descriptions are one short sentence and never name another built-in tool, so a role's
//! prompt never mentions a tool that role must not use (runtime-behavior §3.6).

use crate::spec::SpecError;
use crate::spec::{AgentSpec, Role, ToolkitSpec};
use serde_json::{json, Value};

/// The toolkit ids this engine knows.
pub const TOOLKIT_IDS: [&str; 4] = ["agents", "plans", "references", "catalog"];

/// One built-in tool as models and prompts see it.
#[derive(Clone, Debug, PartialEq)]
pub struct BuiltinTool {
    /// Tool name.
    pub name: &'static str,
    /// Toolkit id.
    pub toolkit: &'static str,
    /// One-sentence description.
    pub description: &'static str,
    /// JSON Schema of the input.
    pub input_schema: Value,
}

fn object(props: &[(&str, Value)], required: &[&str]) -> Value {
    let props: serde_json::Map<String, Value> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    json!({"type": "object", "properties": props, "required": required})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn kind_id(toolkit: &'static str, name: &'static str, description: &'static str) -> BuiltinTool {
    let input_schema = object(&[("kind", string()), ("id", string())], &["kind", "id"]);
    BuiltinTool {
        name,
        toolkit,
        description,
        input_schema,
    }
}

fn catalog(
    name: &'static str,
    description: &'static str,
    props: &[(&str, Value)],
    required: &[&str],
) -> BuiltinTool {
    BuiltinTool {
        name,
        toolkit: "catalog",
        description,
        input_schema: object(props, required),
    }
}

/// Every tool of toolkit `id`, in its canonical order; `None` for an unknown id.
pub fn toolkit_tools(id: &str) -> Option<Vec<BuiltinTool>> {
    let plan_id = || object(&[("planId", string())], &["planId"]);
    let refs = json!({"type": "array", "items": {}});
    let int = json!({"type": "integer"});
    let tools = match id {
        "agents" => vec![BuiltinTool {
            name: "call_agent",
            toolkit: "agents",
            description: "Start one of the agents this agent may route to with a prompt and return its response.",
            input_schema: object(&[("agent", string()), ("prompt", string())], &["agent", "prompt"]),
        }],
        "plans" => vec![
            BuiltinTool {
                name: "storePlan",
                toolkit: "plans",
                description: "Validate a plan body against its plan spec and store it as a draft.",
                input_schema: object(
                    &[("specName", string()), ("planId", string()), ("body", json!({}))],
                    &["specName", "planId", "body"],
                ),
            },
            BuiltinTool {
                name: "getPlan",
                toolkit: "plans",
                description: "Return a stored plan by id, or null when there is none.",
                input_schema: plan_id(),
            },
            BuiltinTool {
                name: "executePlan",
                toolkit: "plans",
                description: "Run a stored plan through its approval gate and dispatch its actions.",
                input_schema: plan_id(),
            },
        ],
        "references" => vec![
            kind_id("references", "resolveRef", "Return the full value and glimpse behind a reference handle."),
            kind_id("references", "glimpseRef", "Return the small glimpse stored with a reference handle."),
        ],
        "catalog" => vec![
            catalog(
                "search_catalog",
                "Search catalog entities (tables, columns, metrics, documents) by text.",
                &[("query", string()), ("kinds", json!({"type": "array", "items": string()})),
                  ("filters", json!({"type": "object"})), ("limit", int.clone()), ("cursor", string())],
                &["query"],
            ),
            catalog("get_catalog_entities", "Fetch catalog entities by reference.", &[("refs", refs.clone())], &["refs"]),
            catalog(
                "list_schema_fields",
                "List the columns of catalog tables.",
                &[("tables", refs.clone()), ("filters", json!({"type": "object"})), ("limit_per_table", int.clone())],
                &["tables"],
            ),
            catalog(
                "get_catalog_relations",
                "List relations of catalog entities.",
                &[("refs", refs.clone()), ("direction", string()), ("relation_kinds", refs.clone()),
                  ("target_kinds", refs.clone()), ("limit_per_ref", int.clone())],
                &["refs"],
            ),
            catalog(
                "get_relation_paths_between",
                "Find join or semantic paths between catalog entities.",
                &[("from", json!({})), ("to", refs.clone()), ("path_type", string()), ("max_depth", int.clone())],
                &["from", "to"],
            ),
            catalog(
                "sample_table_data",
                "Return a few sample rows of a table.",
                &[("table", json!({})), ("columns", refs.clone()), ("limit", int.clone())],
                &["table"],
            ),
            catalog(
                "execute_query",
                "Run one read-only SELECT or WITH query against the target database.",
                &[("sql", string()), ("params", refs), ("limit", int), ("purpose", string())],
                &["sql"],
            ),
        ],
        _ => return None,
    };
    Some(tools)
}

/// Tools of the `plans` toolkit a role may use.
pub fn plans_allowed(role: Role) -> &'static [&'static str] {
    match role {
        Role::Planner => &["storePlan", "getPlan"],
        Role::Executor => &["getPlan", "executePlan"],
        Role::Coordinator | Role::Specialist => &["getPlan"],
    }
}

/// The role-default tools of an agent, in order (runtime-behavior §3.1).
pub fn role_defaults(agent: &AgentSpec) -> Vec<BuiltinTool> {
    let pick = |toolkit: &str, names: &[&str]| -> Vec<BuiltinTool> {
        let all = toolkit_tools(toolkit).expect("known toolkit");
        names
            .iter()
            .filter_map(|n| all.iter().find(|t| t.name == *n).cloned())
            .collect()
    };
    match agent.role {
        Role::Coordinator if !agent.routes.is_empty() => pick("agents", &["call_agent"]),
        Role::Coordinator | Role::Specialist => Vec::new(),
        Role::Planner => pick("plans", &["storePlan", "getPlan"]),
        Role::Executor => {
            let mut t = pick("plans", &["getPlan", "executePlan"]);
            t.extend(pick("references", &["resolveRef", "glimpseRef"]));
            t
        }
    }
}

/// The tools of `toolkit` as `agent` sees them: role scoping of `plans` and `config.tools`
/// narrowing applied (runtime-behavior §3.3). The messages are the details of check 9.
///
/// # Errors
/// Unknown toolkit, unknown tool name in `config.tools`, a plans tool outside the role's
/// allowance, or a malformed config.
pub fn toolkit_view(
    toolkit: &ToolkitSpec,
    agent: &AgentSpec,
) -> Result<Vec<BuiltinTool>, SpecError> {
    let id = toolkit.id.as_str();
    let err = |m: String| Err(SpecError::Toolkit(m));
    let Some(all) = toolkit_tools(id) else {
        return err(format!("unknown toolkit id: {id}"));
    };
    let narrowed = match &toolkit.config {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => match map.get("tools") {
            None => None,
            Some(Value::Array(items)) => {
                let mut names = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(n) => names.push(n.to_string()),
                        None => {
                            return err(format!(
                                "toolkit '{id}' config is malformed: invalid type: {item}, expected a string"
                            ))
                        }
                    }
                }
                Some(names)
            }
            Some(other) => {
                return err(format!(
                    "toolkit '{id}' config is malformed: `tools` must be a list of tool names, got {other}"
                ))
            }
        },
        Some(other) => {
            return err(format!("toolkit '{id}' config is malformed: expected an object, got {other}"))
        }
    };
    if let Some(names) = &narrowed {
        for n in names {
            if !all.iter().any(|t| t.name == n) {
                return err(format!("toolkit '{id}' has no tool named '{n}'"));
            }
            if id == "plans" && !plans_allowed(agent.role).contains(&n.as_str()) {
                return err(format!(
                    "tool '{n}' from toolkit 'plans' is not available for {} agents",
                    agent.role.as_str()
                ));
            }
        }
    }
    Ok(all
        .into_iter()
        .filter(|t| match &narrowed {
            Some(names) => names.iter().any(|n| n == t.name),
            None => id != "plans" || plans_allowed(agent.role).contains(&t.name),
        })
        .collect())
}

/// `describe_toolkit_tools`: the JSON list `[{"name","description","input_schema"}]` of a
/// toolkit as an agent sees it (used by the Python facade for prompt rows).
///
/// # Errors
/// As [`toolkit_view`], with the details only (no `toolkit composition error:` prefix).
pub fn describe_toolkit(toolkit: &ToolkitSpec, agent: &AgentSpec) -> Result<Value, String> {
    let tools = toolkit_view(toolkit, agent).map_err(|e| match e {
        SpecError::Toolkit(detail) => detail,
        other => other.to_string(),
    })?;
    Ok(Value::Array(
        tools
            .into_iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.input_schema}))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tools: &[BuiltinTool]) -> Vec<&str> {
        tools.iter().map(|t| t.name).collect()
    }

    #[test]
    fn plans_are_scoped_by_role() {
        let executor = AgentSpec::executor("e", "claude-x", "");
        let plans = ToolkitSpec {
            id: "plans".into(),
            config: None,
        };
        assert_eq!(
            names(&toolkit_view(&plans, &executor).unwrap()),
            ["getPlan", "executePlan"]
        );
        let narrowed = ToolkitSpec {
            id: "plans".into(),
            config: Some(json!({"tools": ["storePlan"]})),
        };
        assert_eq!(
            toolkit_view(&narrowed, &executor).unwrap_err().to_string(),
            "toolkit composition error: tool 'storePlan' from toolkit 'plans' is not available for executor agents"
        );
    }

    #[test]
    fn config_errors_name_the_toolkit() {
        let a = AgentSpec::specialist("s", "claude-x", "");
        let bad = ToolkitSpec {
            id: "references".into(),
            config: Some(json!({"tools": ["nope"]})),
        };
        assert_eq!(
            describe_toolkit(&bad, &a).unwrap_err(),
            "toolkit 'references' has no tool named 'nope'"
        );
        let bad = ToolkitSpec {
            id: "references".into(),
            config: Some(json!([1])),
        };
        assert!(describe_toolkit(&bad, &a)
            .unwrap_err()
            .starts_with("toolkit 'references' config is malformed: "));
        let unknown = ToolkitSpec {
            id: "weather".into(),
            config: None,
        };
        assert_eq!(
            describe_toolkit(&unknown, &a).unwrap_err(),
            "unknown toolkit id: weather"
        );
    }

    #[test]
    fn descriptions_never_name_another_builtin() {
        let all: Vec<BuiltinTool> = TOOLKIT_IDS
            .iter()
            .flat_map(|id| toolkit_tools(id).unwrap())
            .collect();
        for t in &all {
            for other in &all {
                if other.name != t.name {
                    assert!(
                        !t.description.contains(other.name),
                        "{} mentions {}",
                        t.name,
                        other.name
                    );
                }
            }
        }
    }

    #[test]
    fn role_defaults_follow_the_table() {
        let c = AgentSpec::coordinator("c", "claude-x", "", &["w"]);
        assert_eq!(names(&role_defaults(&c)), ["call_agent"]);
        let e = AgentSpec::executor("e", "claude-x", "");
        assert_eq!(
            names(&role_defaults(&e)),
            ["getPlan", "executePlan", "resolveRef", "glimpseRef"]
        );
        assert!(role_defaults(&AgentSpec::specialist("s", "claude-x", "")).is_empty());
    }
}
