//! Host tools bound to agents (runtime-behavior §3.2, §3.4, §12): explicit bindings with
//! `Runtime::new`, name collisions, and what a tool sees of its request.

mod common;

use common::*;
use flowai::tool::{tool_fn, ToolBinding};
use flowai::{
    AgentSpec, Entry, InterpreterKind, RunRequest, Runtime, RuntimeBuilder, RuntimeOptions, ToolDef,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn noop_tool(b: RuntimeBuilder, agent: &str, def: ToolDef) -> RuntimeBuilder {
    b.tool(agent, def, |_args, _ctx| async { Ok(json!({})) })
}

#[test]
fn a_host_tool_named_call_agent_collides_on_a_coordinator() {
    let b = builder()
        .agent(AgentSpec::coordinator("c", MODEL, "", &["w"]))
        .agent(AgentSpec::specialist("w", MODEL, ""));
    let b = noop_tool(
        b,
        "c",
        ToolDef::new("call_agent", json!({"type": "object"})),
    );
    assert_eq!(
        message(b),
        "toolkit composition error: dispatcher collisions: agent 'c': 'call_agent' (toolkit 'agents' and binding 'c/call_agent')"
    );
    // The same tool on a specialist without the agents toolkit is fine.
    let b = builder().agent(AgentSpec::specialist("w", MODEL, ""));
    assert!(noop_tool(
        b,
        "w",
        ToolDef::new("call_agent", json!({"type": "object"}))
    )
    .build()
    .is_ok());
}

#[tokio::test]
async fn runtime_new_with_explicit_bindings() {
    let binding = ToolBinding {
        def: ToolDef::new("echo", json!({"type": "object"})),
        tool: tool_fn(|args, _ctx| async move { Ok(args) }),
    };
    let mut agent_tools = BTreeMap::new();
    agent_tools.insert("w".to_string(), vec!["echo".to_string()]);
    let options = RuntimeOptions {
        interpreter: InterpreterKind::Scripted,
        tools: vec![binding.clone()],
        agent_tools: agent_tools.clone(),
        ..RuntimeOptions::default()
    };
    let runtime =
        Runtime::new(spec(vec![AgentSpec::specialist("w", MODEL, "")]), options).expect("builds");
    assert_eq!(runtime.spec().agents[0].name, "w");
    let events =
        collect(runtime.run_specialist("w", r#"{"tool":"echo","args":{"a":1}}"#, None)).await;
    let id = entry_id(&events);
    let args = json!({"a": 1});
    assert_events(
        &events,
        &[
            agent_call("w", &id),
            step_start(),
            tool_call("scripted-tool-1", "echo", &args),
            tool_result("scripted-tool-1", "echo", &args, &args),
            text(r#"{"a":1}"#),
            finish_zero(),
            agent_result("w", &id),
        ],
    );

    // An attached key with no binding is refused.
    agent_tools.insert("w".to_string(), vec!["missing".to_string()]);
    let options = RuntimeOptions {
        tools: vec![binding],
        agent_tools,
        ..RuntimeOptions::default()
    };
    assert_eq!(
        new_err(spec(vec![AgentSpec::specialist("w", MODEL, "")]), options),
        "tool binding 'missing' has no spec"
    );
}

#[test]
fn a_host_tool_is_not_the_catalog_toolkit() {
    // Check 10 is about agents that select the catalog toolkit. A host tool that happens to
    // share a catalog tool's name is just a host tool.
    let b = noop_tool(
        builder().agent(AgentSpec::specialist("sql", MODEL, "")),
        "sql",
        ToolDef::new("execute_query", json!({"type": "object"})),
    );
    if let Err(e) = b.build() {
        panic!("a host tool named execute_query was refused: {e}");
    }
}

#[test]
fn two_closures_with_one_name_on_one_agent_collide() {
    // Two different handlers with the same tool name on one agent (runtime-behavior §3.4).
    let b = builder().agent(AgentSpec::specialist("w", MODEL, ""));
    let b = b
        .tool(
            "w",
            ToolDef::new("echo", json!({"type": "object"})),
            |_a, _c| async { Ok(json!(1)) },
        )
        .tool(
            "w",
            ToolDef::new("echo", json!({"type": "object"})),
            |_a, _c| async { Ok(json!(2)) },
        );
    let err = match b.build() {
        Ok(_) => panic!("two handlers named 'echo' on agent 'w' were accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.starts_with("toolkit composition error: dispatcher collisions: agent 'w': 'echo'"),
        "{err}"
    );
}

/// The per-run host extension of a [`RunRequest`] reaches the tool through its context.
#[tokio::test]
async fn the_host_extension_reaches_the_tool() {
    // (the `u32` extension, whether a `String` extension is absent) per call.
    type Seen = Vec<(Option<u32>, bool)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let log = seen.clone();
    let runtime = builder()
        .agent(AgentSpec::specialist("worker", MODEL, ""))
        .tool(
            "worker",
            ToolDef::new("peek", json!({"type": "object"})),
            move |_args, ctx| {
                log.lock()
                    .unwrap()
                    .push((ctx.host::<u32>().copied(), ctx.host::<String>().is_none()));
                async { Ok(json!(null)) }
            },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds");
    let request = |host: Option<Arc<dyn std::any::Any + Send + Sync>>| RunRequest {
        entry: Entry::Specialist("worker".into()),
        prompt: r#"{"tool":"peek"}"#.into(),
        thread_id: Some("t".into()),
        host,
        resume: None,
    };
    let events = collect(runtime.start(request(Some(Arc::new(42u32))))).await;
    let id = entry_id(&events);
    assert_events(
        &events,
        &[
            agent_call("worker", &id),
            step_start(),
            tool_call("scripted-tool-1", "peek", &serde_json::Value::Null),
            tool_result(
                "scripted-tool-1",
                "peek",
                &serde_json::Value::Null,
                &serde_json::Value::Null,
            ),
            text("null"),
            finish_zero(),
            agent_result("worker", &id),
        ],
    );
    collect(runtime.start(request(None))).await;
    assert_eq!(*seen.lock().unwrap(), [(Some(42), true), (None, true)]);
}
