//! Construction checks 3, 4, 5 and 13 (runtime-behavior §2) and the `Unsupported` refusals
//! of this release (data environments), and how approval
//! policies resolve per agent and tool (runtime-behavior §9.2).

mod common;

use common::*;
use flowai::approval::{AgentPolicy, PredicateContext};
use flowai::spec::{ApprovalPolicyPatch, ApprovalRule};
use flowai::{AgentSpec, InterpreterKind, Runtime, RuntimeBuilder, RuntimeOptions, ToolDef};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

type PredicateFn = dyn Fn(&Value, &PredicateContext) -> bool + Send + Sync;

#[test]
fn anthropic_interpreter_checks() {
    let anthropic = |providers: serde_json::Value| {
        let mut b = builder()
            .agent(AgentSpec::specialist("w", MODEL, ""))
            .interpreter(InterpreterKind::Anthropic);
        b.spec_mut().providers = providers.as_object().expect("object").clone();
        message(b)
    };
    assert_eq!(
        anthropic(json!({})),
        "interpreter='anthropic' requires an anthropic provider"
    );
    let credential =
        "anthropic provider requires apiKey or apiKeyEnv resolving to an environment variable";
    assert_eq!(anthropic(json!({"anthropic": {}})), credential);
    assert_eq!(anthropic(json!({"anthropic": {"apiKey": 7}})), credential);
    assert_eq!(
        anthropic(json!({"anthropic": {"apiKeyEnv": "FLOWAI_TEST_SURELY_UNSET_VARIABLE"}})),
        credential
    );

    // With a usable key the live interpreter builds (no request is made until a run).
    let mut b = builder()
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .interpreter(InterpreterKind::Anthropic);
    b.spec_mut()
        .providers
        .insert("anthropic".into(), json!({"apiKey": "sk-test"}));
    assert!(b.build().is_ok());
    // `PATH` is set wherever cargo runs tests.
    let mut b = builder()
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .interpreter(InterpreterKind::Anthropic);
    b.spec_mut()
        .providers
        .insert("anthropic".into(), json!({"apiKeyEnv": "PATH"}));
    assert!(b.build().is_ok());
}

#[test]
fn dynamic_predicates_must_be_registered() {
    let mut s = spec(vec![AgentSpec::specialist("w", MODEL, "")]);
    s.approval_policies.tools = ApprovalRule::Dynamic {
        value: "is_big".into(),
    };
    assert_eq!(
        new_err(s.clone(), RuntimeOptions::default()),
        "approval policy error: dynamic approval predicate 'is_big' is not registered"
    );
    // Registered, with no tool to gate, the runtime builds.
    let registered: HashMap<String, Arc<PredicateFn>> = HashMap::from([(
        "is_big".to_string(),
        Arc::new(|_: &Value, _: &PredicateContext| true) as Arc<PredicateFn>,
    )]);
    let options = RuntimeOptions {
        predicates: Some(Arc::new(registered)),
        ..RuntimeOptions::default()
    };
    assert!(Runtime::new(s, options).is_ok());
}

#[test]
fn the_data_environment_catalog_and_target_database_are_unsupported() {
    for key in [
        "catalog",
        "targetDatabase",
        "targetDatabaseUrl",
        "catalogSearch",
    ] {
        let options = RuntimeOptions {
            data_environment: Some(json!({"tenantId": "acme", key: {"kind": "empty"}})),
            ..RuntimeOptions::default()
        };
        assert_eq!(
            new_err(spec(vec![AgentSpec::specialist("w", MODEL, "")]), options),
            format!("data_environment.{key} is not implemented yet in this release of flowai")
        );
    }
    // Its `kv` store is supported.
    let options = RuntimeOptions {
        data_environment: Some(json!({"tenantId": "acme", "kv": {"kind": "memory"}})),
        ..RuntimeOptions::default()
    };
    assert!(Runtime::new(spec(vec![AgentSpec::specialist("w", MODEL, "")]), options).is_ok());
}

fn policy_of(b: RuntimeBuilder, agent: &str) -> AgentPolicy {
    let rt = b.build().expect("valid runtime");
    let spec = rt.spec().clone();
    let a = spec.agent(agent).expect("declared").clone();
    // Host tools are attached by the builder under `<agent>/<name>` keys.
    let bindings = std::collections::HashMap::from([(
        "worker/echo".to_string(),
        flowai::ToolBinding {
            def: ToolDef {
                approval: ApprovalRule::Never,
                binding_id: "worker/echo".into(),
                ..ToolDef::new("echo", json!({"type": "object"}))
            },
            tool: flowai::tool::tool_fn(|_a, _c| async { Ok(json!({})) }),
        },
    )]);
    let attached = if agent == "worker" {
        vec!["worker/echo".to_string()]
    } else {
        vec![]
    };
    AgentPolicy::compile(&spec, &a, &bindings, &attached)
}

#[test]
fn approval_floor_and_overrides_resolve_per_agent_and_tool() {
    // runtime-behavior §9.2: built-ins follow the tools channel; a host tool's own rule
    // (`never` by default) is a per-tool rule and beats the channel.
    let coordinated = || {
        builder()
            .agent(AgentSpec::coordinator("c", MODEL, "", &["worker"]))
            .agent(AgentSpec::specialist("worker", MODEL, ""))
            .tool(
                "worker",
                ToolDef::new("echo", json!({"type": "object"})),
                |_a, _c| async { Ok(json!({})) },
            )
    };
    let mut b = coordinated();
    b.spec_mut().approval_policies.tools = ApprovalRule::Always;
    assert_eq!(
        *policy_of(b, "c").tool_rule("call_agent"),
        ApprovalRule::Always
    );
    let mut b = coordinated();
    b.spec_mut().approval_policies.tools = ApprovalRule::Always;
    assert_eq!(
        *policy_of(b, "worker").tool_rule("echo"),
        ApprovalRule::Never
    );

    // An agent channel override wins over the floor, for that agent only.
    let mut b = coordinated();
    b.spec_mut().approval_policies.tools = ApprovalRule::Always;
    let patch = ApprovalPolicyPatch {
        plans: Some(ApprovalRule::Never),
        tools: Some(ApprovalRule::Never),
    };
    b.spec_mut()
        .approval_overrides
        .agents
        .insert("c".into(), patch);
    let p = policy_of(b, "c");
    assert_eq!(*p.tool_rule("call_agent"), ApprovalRule::Never);
    assert_eq!(p.plans, ApprovalRule::Never);

    // A per-tool override (by binding key or name) beats the tool's own rule.
    let mut b = coordinated();
    let rules = BTreeMap::from([("worker/echo".to_string(), ApprovalRule::Always)]);
    b.spec_mut()
        .approval_overrides
        .tools
        .insert("worker".into(), rules);
    assert_eq!(
        *policy_of(b, "worker").tool_rule("echo"),
        ApprovalRule::Always
    );

    // The plans floor is `always` by default.
    assert_eq!(
        policy_of(coordinated(), "worker").plans,
        ApprovalRule::Always
    );
}
