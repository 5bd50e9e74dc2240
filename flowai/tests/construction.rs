//! Construction checks 2 and 6-12 with their exact messages and their order
//! (runtime-behavior §2, §3.3, §3.4). Checks 3-5, 13 and the refusals are in `unsupported.rs`.

mod common;

use common::*;
use flowai::spec::{ApprovalRule, ToolkitSpec};
use flowai::{AgentSpec, InterpreterKind, RuntimeOptions, SpecError};
use serde_json::json;

#[test]
fn agent_invariants() {
    let b = builder()
        .agent(AgentSpec::specialist("a", MODEL, ""))
        .agent(AgentSpec::specialist("a", MODEL, ""));
    assert_eq!(message(b), "agent spec invalid: duplicate agent name 'a'");

    let b = builder()
        .agent(AgentSpec::coordinator("c1", MODEL, "", &["w"]))
        .agent(AgentSpec::coordinator("c2", MODEL, "", &["w"]))
        .agent(AgentSpec::specialist("w", MODEL, ""));
    assert_eq!(
        message(b),
        "agent spec invalid: multiple coordinator agents are not supported"
    );

    let b = builder().agent(AgentSpec::coordinator("c", MODEL, "", &["x"]));
    assert_eq!(
        message(b),
        "agent spec invalid: agent 'c' declares unknown route target 'x'"
    );

    let b = builder().agent(AgentSpec::coordinator("c", MODEL, "", &[]));
    assert_eq!(
        message(b),
        "agent spec invalid: coordinator agent 'c' requires at least one route"
    );
    assert!(matches!(
        build_err(builder().agent(AgentSpec::coordinator("c", MODEL, "", &[]))),
        SpecError::Agent(_)
    ));

    let b = builder().agent(AgentSpec::coordinator("c", MODEL, "", &["c"]));
    assert_eq!(
        message(b),
        "agent spec invalid: agent 'c' cannot route to itself"
    );

    let b = builder()
        .agent(AgentSpec::coordinator("c", MODEL, "", &["w", "w"]))
        .agent(AgentSpec::specialist("w", MODEL, ""));
    assert_eq!(
        message(b),
        "agent spec invalid: agent 'c' declares duplicate route 'w'"
    );

    let mut b = builder().agent(AgentSpec::specialist("w", MODEL, ""));
    b.spec_mut()
        .approval_overrides
        .agents
        .insert("ghost".into(), Default::default());
    assert_eq!(
        message(b),
        "agent spec invalid: approvalOverrides.agents references unknown agent(s): [\"ghost\"]"
    );

    let mut b = builder().agent(AgentSpec::specialist("w", MODEL, ""));
    b.spec_mut()
        .approval_overrides
        .tools
        .insert("zed".into(), Default::default());
    b.spec_mut()
        .approval_overrides
        .tools
        .insert("ghost".into(), Default::default());
    assert_eq!(
        message(b),
        "agent spec invalid: approvalOverrides.tools references unknown agent(s): [\"ghost\", \"zed\"]"
    );
}

#[test]
fn providers_must_be_declared_and_interpretable() {
    // The hello world without providers: the coordinator, listed first, is named (check 11).
    let mut b = builder()
        .agent(AgentSpec::coordinator(
            "hello_coordinator",
            MODEL,
            "",
            &["greeter"],
        ))
        .agent(AgentSpec::specialist("greeter", MODEL, ""));
    b.spec_mut().providers.clear();
    assert_eq!(
        message(b),
        "agent 'hello_coordinator' references provider 'anthropic' for model 'claude-sonnet-4-6', but no such provider is declared in RuntimeSpec.providers"
    );

    let b = builder().agent(AgentSpec::specialist("w", "gpt-4o", ""));
    assert_eq!(
        message(b),
        "agent 'w' references provider 'openai-compatible' for model 'gpt-4o', but no such provider is declared in RuntimeSpec.providers"
    );

    // Check 12: declared, but only `anthropic` has an interpreter.
    let mut b = builder().agent(AgentSpec::specialist("w", "gpt-4o", ""));
    b.spec_mut()
        .providers
        .insert("openai-compatible".into(), json!({"apiKey": "k"}));
    assert_eq!(
        message(b),
        "agent 'w' references provider 'openai-compatible' for model 'gpt-4o', but no ChatInterpreter is registered for that provider"
    );
}

#[test]
fn toolkit_composition_and_catalog() {
    let mut a = AgentSpec::specialist("s", MODEL, "");
    a.toolkits = vec!["weather".into()];
    assert_eq!(
        message(builder().agent(a)),
        "toolkit composition error: unknown toolkit id: weather"
    );

    let mut a = AgentSpec::specialist("s", MODEL, "");
    a.toolkits = vec!["plans".into()];
    let mut b = builder().agent(a);
    b.spec_mut().toolkits.push(ToolkitSpec {
        id: "plans".into(),
        config: Some(json!({"tools": ["executePlan"]})),
    });
    assert_eq!(
        message(b),
        "toolkit composition error: tool 'executePlan' from toolkit 'plans' is not available for specialist agents"
    );

    let mut a = AgentSpec::specialist("s", MODEL, "");
    a.toolkits = vec!["references".into()];
    let mut b = builder().agent(a);
    b.spec_mut().toolkits.push(ToolkitSpec {
        id: "references".into(),
        config: Some(json!({"tools": ["nope"]})),
    });
    assert_eq!(
        message(b),
        "toolkit composition error: toolkit 'references' has no tool named 'nope'"
    );

    // Check 10.
    let mut a = AgentSpec::specialist("analyst", MODEL, "");
    a.toolkits = vec!["catalog".into()];
    let mut b = builder().agent(a);
    b.spec_mut().toolkits.push(ToolkitSpec {
        id: "catalog".into(),
        config: None,
    });
    assert_eq!(
        message(b),
        "agent 'analyst' uses the catalog toolkit, but catalog search is not configured; pass data_environment.catalog_search.index_path or inject a CatalogSearchBackend"
    );
}

#[test]
fn interpreter_names_parse() {
    assert_eq!(
        InterpreterKind::parse("noop").unwrap(),
        InterpreterKind::Noop
    );
    assert_eq!(
        InterpreterKind::parse("scripted").unwrap(),
        InterpreterKind::Scripted
    );
    assert_eq!(
        InterpreterKind::parse("anthropic").unwrap(),
        InterpreterKind::Anthropic
    );
    assert_eq!(
        InterpreterKind::parse("openai").unwrap(),
        InterpreterKind::OpenAi
    );
    assert_eq!(
        InterpreterKind::parse("gpt").unwrap_err().to_string(),
        "unknown interpreter 'gpt'; expected noop, scripted, anthropic, openai, live, or replay"
    );
}

#[test]
fn checks_run_in_contract_order() {
    // 3 before 5, 5 before 6.
    let mut s = spec(vec![
        AgentSpec::specialist("a", MODEL, ""),
        AgentSpec::specialist("a", MODEL, ""),
    ]);
    s.providers.clear();
    let options = RuntimeOptions {
        interpreter: InterpreterKind::Anthropic,
        data_environment: Some(json!({})),
        ..RuntimeOptions::default()
    };
    assert_eq!(
        new_err(s.clone(), options),
        "interpreter='anthropic' requires an anthropic provider"
    );
    // The data environment's stores open before the agent checks.
    let options = RuntimeOptions {
        data_environment: Some(json!({"catalog": {"kind": "empty"}})),
        ..RuntimeOptions::default()
    };
    assert_eq!(
        new_err(s.clone(), options),
        "data_environment.catalog is not implemented yet in this release of flowai"
    );
    // 6 before 9 and 11.
    s.agents[1].toolkits = vec!["weather".into()];
    s.agents[1].model.id = "gpt-4o".into();
    assert_eq!(
        new_err(s.clone(), RuntimeOptions::default()),
        "agent spec invalid: duplicate agent name 'a'"
    );
    // 9 (second agent) before 10 (first agent) before 11.
    s.agents[1].name = "b".into();
    s.agents[0].toolkits = vec!["catalog".into()];
    assert_eq!(
        new_err(s.clone(), RuntimeOptions::default()),
        "toolkit composition error: unknown toolkit id: weather"
    );
    s.agents[1].toolkits.clear();
    assert!(new_err(s.clone(), RuntimeOptions::default())
        .starts_with("agent 'a' uses the catalog toolkit"));
    // 11 before 13, 13 before the unsupported live interpreter.
    s.agents[0].toolkits.clear();
    s.approval_policies.plans = ApprovalRule::Dynamic { value: "p".into() };
    assert!(new_err(s.clone(), RuntimeOptions::default())
        .ends_with("no such provider is declared in RuntimeSpec.providers"));
    s.agents[1].model.id = MODEL.into();
    s.providers
        .insert("anthropic".into(), json!({"apiKey": "k"}));
    let options = RuntimeOptions {
        interpreter: InterpreterKind::Anthropic,
        ..RuntimeOptions::default()
    };
    assert_eq!(
        new_err(s, options),
        "approval policy error: dynamic approval predicate 'p' is not registered"
    );
}
