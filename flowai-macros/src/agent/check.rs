//! Stage 2: the rules of the `define_*` helpers, checked at compile time. Each rule is one
//! function; each error lands on the offending key or value. What passes becomes the IR
//! code generation reads.

use super::parse::Attrs;
use crate::case::snake;
use crate::ctxt::Ctxt;
use crate::kw::{self, ROLES, TOOLKIT_IDS};
use quote::ToTokens;
use syn::{Data, DeriveInput, Type};

/// What code generation needs beyond the attributes.
pub(crate) struct Agent {
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) max_turns: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Coordinator,
    Planner,
    Executor,
    Specialist,
}

impl Role {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "coordinator" => Role::Coordinator,
            "planner" => Role::Planner,
            "executor" => Role::Executor,
            "specialist" => Role::Specialist,
            _ => return None,
        })
    }

    fn with_article(self) -> &'static str {
        match self {
            Role::Executor => "an executor",
            Role::Coordinator => "a coordinator",
            Role::Planner => "a planner",
            Role::Specialist => "a specialist",
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Planner => "planner",
            Role::Executor => "executor",
            Role::Specialist => "specialist",
        }
    }
}

/// The agent's name: `name = "..."` or the snake_case type name.
pub(crate) fn agent_name(input: &DeriveInput, a: &Attrs) -> String {
    a.name
        .get()
        .map(|n| n.value())
        .unwrap_or_else(|| snake(&input.ident.to_string()))
}

/// Runs every rule; `None` when the role is missing or unknown (nothing else can be
/// decided without it).
pub(crate) fn check(cx: &Ctxt, input: &DeriveInput, a: &Attrs) -> Option<Agent> {
    is_a_struct(cx, input);
    name_is_not_empty(cx, a);
    model_and_prompt_are_given(cx, input, a);
    let name = agent_name(input, a);
    let max_turns = max_turns_is_positive(cx, a);
    routes_are_distinct(cx, input, a, &name);
    tools_are_distinct(cx, a);
    toolkits_are_known_and_distinct(cx, a);
    let role = role_is_known(cx, input, a)?;
    coordinators_route(cx, a, role, &name);
    planners_and_executors_have_a_plan(cx, a, role, &name);
    Some(Agent {
        name,
        role,
        max_turns,
    })
}

/// An agent is a (usually unit) struct.
fn is_a_struct(cx: &Ctxt, input: &DeriveInput) {
    if !matches!(input.data, Data::Struct(_)) {
        cx.error_spanned_by(&input.ident, "an agent must be a struct");
    }
}

/// `AgentSpec.name` has `min_length=1`.
fn name_is_not_empty(cx: &Ctxt, a: &Attrs) {
    if let Some(name) = a.name.get().filter(|n| n.value().is_empty()) {
        cx.error_spanned_by(name, "agent name must not be empty");
    }
}

/// `model` and `prompt` are required arguments of every `define_*` helper.
fn model_and_prompt_are_given(cx: &Ctxt, input: &DeriveInput, a: &Attrs) {
    if a.model.get().is_none() {
        cx.error_spanned_by(&input.ident, "missing flowai attribute `model`");
    }
    if a.prompt.get().is_none() {
        cx.error_spanned_by(&input.ident, "missing flowai attribute `prompt`");
    }
}

/// The role decides defaults and tools: it must be given and be one of the four.
fn role_is_known(cx: &Ctxt, input: &DeriveInput, a: &Attrs) -> Option<Role> {
    let Some(lit) = a.role.get() else {
        cx.error_spanned_by(&input.ident, "missing flowai attribute `role`");
        return None;
    };
    let role = Role::parse(&lit.value());
    if role.is_none() {
        cx.error_spanned_by(
            lit,
            format!(
                "unknown role `{}`; expected {}",
                lit.value(),
                kw::one_of(&ROLES)
            ),
        );
    }
    role
}

/// `maxTurns` has `ge=1`.
fn max_turns_is_positive(cx: &Ctxt, a: &Attrs) -> Option<u32> {
    let lit = a.max_turns.get()?;
    match lit.base10_parse::<u32>() {
        Ok(0) => {
            cx.error_spanned_by(lit, "max_turns must be at least 1");
            None
        }
        Ok(n) => Some(n),
        Err(e) => {
            cx.syn_error(e);
            None
        }
    }
}

/// A coordinator needs a route (`define_coordinator requires at least one route`), and
/// only a coordinator has routes (only `define_coordinator` takes them).
fn coordinators_route(cx: &Ctxt, a: &Attrs, role: Role, name: &str) {
    let routes = a.routes.get_with_tokens();
    match (role, routes) {
        (Role::Coordinator, Some((_, list))) if !list.is_empty() => {}
        (Role::Coordinator, _) => cx.error_spanned_by(
            a.role.get(),
            format!("coordinator `{name}` requires at least one route: add `routes(...)`"),
        ),
        (_, Some((key, _))) => cx.error_spanned_by(
            key,
            format!(
                "only a coordinator has routes; `{name}` is {}",
                role.with_article()
            ),
        ),
        (_, None) => {}
    }
}

/// Planners and executors work on a plan (`define_planner`/`define_executor` require
/// one); coordinators and specialists take none.
fn planners_and_executors_have_a_plan(cx: &Ctxt, a: &Attrs, role: Role, name: &str) {
    let needs_plan = matches!(role, Role::Planner | Role::Executor);
    match (needs_plan, a.plan.get_with_tokens()) {
        (true, None) => cx.error_spanned_by(
            a.role.get(),
            format!("{} `{name}` requires a `plan`", role.as_str()),
        ),
        (false, Some((key, _))) => cx.error_spanned_by(
            key,
            format!(
                "{} takes no `plan`; only planners and executors do",
                role.with_article()
            ),
        ),
        _ => {}
    }
}

/// No route twice, and no route to the agent itself (`RuntimeSpec` rejects both).
fn routes_are_distinct(cx: &Ctxt, input: &DeriveInput, a: &Attrs, name: &str) {
    let Some(routes) = a.routes.get() else { return };
    for (i, route) in routes.iter().enumerate() {
        let text = type_text(route);
        if text == "Self" || input.ident == text {
            cx.error_spanned_by(route, format!("agent `{name}` cannot route to itself"));
        } else if routes[..i].iter().any(|r| type_text(r) == text) {
            cx.error_spanned_by(route, format!("duplicate route `{text}`"));
        }
    }
}

/// No tool twice.
fn tools_are_distinct(cx: &Ctxt, a: &Attrs) {
    let Some(tools) = a.tools.get() else { return };
    for (i, tool) in tools.iter().enumerate() {
        let text = type_text(tool);
        if tools[..i].iter().any(|t| type_text(t) == text) {
            cx.error_spanned_by(tool, format!("duplicate tool `{text}`"));
        }
    }
}

/// Toolkit ids are the four built-ins, each once.
fn toolkits_are_known_and_distinct(cx: &Ctxt, a: &Attrs) {
    let Some(toolkits) = a.toolkits.get() else {
        return;
    };
    for (i, id) in toolkits.iter().enumerate() {
        let value = id.value();
        if !TOOLKIT_IDS.contains(&value.as_str()) {
            cx.error_spanned_by(
                id,
                format!(
                    "unknown toolkit `{value}`; expected {}",
                    kw::one_of(&TOOLKIT_IDS)
                ),
            );
        } else if toolkits[..i].iter().any(|t| t.value() == value) {
            cx.error_spanned_by(id, format!("duplicate toolkit `{value}`"));
        }
    }
}

fn type_text(ty: &Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(input: DeriveInput) -> Vec<String> {
        let cx = Ctxt::new();
        let attrs = Attrs::from_ast(&cx, &input);
        check(&cx, &input, &attrs);
        cx.messages()
    }

    #[test]
    fn a_complete_planner_passes() {
        assert!(errors(parse_quote! {
            #[flowai(role = "planner", model = "m", prompt = "p", plan = P, toolkits("catalog"))]
            struct ScenarioPlanner;
        })
        .is_empty());
    }

    #[test]
    fn role_rules() {
        assert_eq!(
            errors(parse_quote! {
                #[flowai(role = "coordinator", model = "m", prompt = "p", plan = P)]
                struct Hub;
            }),
            [
                "coordinator `hub` requires at least one route: add `routes(...)`",
                "a coordinator takes no `plan`; only planners and executors do",
            ]
        );
        assert_eq!(
            errors(parse_quote! {
                #[flowai(role = "executor", model = "m", prompt = "p", routes(A))]
                struct Exec;
            }),
            [
                "only a coordinator has routes; `exec` is an executor",
                "executor `exec` requires a `plan`",
            ]
        );
    }

    #[test]
    fn value_rules() {
        assert_eq!(
            errors(parse_quote! {
                #[flowai(role = "boss", routes(A, A, Hub), toolkits("web", "catalog", "catalog"), max_turns = 0)]
                struct Hub;
            }),
            [
                "missing flowai attribute `model`",
                "missing flowai attribute `prompt`",
                "max_turns must be at least 1",
                "duplicate route `A`",
                "agent `hub` cannot route to itself",
                "unknown toolkit `web`; expected `agents`, `plans`, `references` or `catalog`",
                "duplicate toolkit `catalog`",
                "unknown role `boss`; expected `coordinator`, `planner`, `executor` or `specialist`",
            ]
        );
    }
}
