//! Plans and approvals from Rust: a gated plan executed after a decision recorded through
//! `Runtime::respond_to_approval`, the dispatcher called exactly once, and a gated tool.

mod common;

use common::*;
use flowai::approval::{ApprovalError, Decision};
use flowai::plan::dispatcher_fn;
use flowai::spec::{ApprovalRule, PlanSpec};
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn plan_runtime(calls: Arc<Mutex<Vec<Value>>>) -> Runtime {
    let mut b = builder()
        .agent(AgentSpec::coordinator(
            "c",
            MODEL,
            "",
            &["planner", "executor"],
        ))
        .agent(AgentSpec::planner("planner", MODEL, ""))
        .agent(AgentSpec::executor("executor", MODEL, ""))
        .action_dispatcher(dispatcher_fn(move |actions, _ctx| {
            calls.lock().unwrap().push(actions.clone());
            Ok(json!({"entitiesAffected": actions.as_array().map_or(0, Vec::len)}))
        }))
        .interpreter(InterpreterKind::Scripted);
    b.spec_mut().plans.push(PlanSpec {
        name: "P".into(),
        schema: json!({"type": "object", "required": ["actions"]}),
        display_aliases: vec![],
    });
    b.build().unwrap()
}

fn flow() -> String {
    let store = json!({"tool": "storePlan", "args": {"specName": "P", "planId": "p1", "body": {"actions": [{"kind": "a", "n": 1}]}}});
    let execute = json!({"tool": "executePlan", "args": {"planId": "p1"}});
    json!({"script": [
        {"tool": "call_agent", "args": {"agent": "planner", "prompt": store.to_string()}},
        {"tool": "call_agent", "args": {"agent": "executor", "prompt": execute.to_string()}},
    ]})
    .to_string()
}

#[tokio::test]
async fn a_gated_plan_runs_once_after_approve() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let rt = plan_runtime(calls.clone());
    let mut stream = rt.query(&flow(), "thread-1");
    let mut types = Vec::new();
    while let Some(part) = stream.next().await {
        let v = part.to_value();
        types.push(part.type_name());
        if part.type_name() == "approval-required" {
            assert_eq!(v["data"]["threadId"], "thread-1-executor");
            assert_eq!(rt.pending_approvals().unwrap().len(), 1);
            assert!(calls.lock().unwrap().is_empty());
            let id = v["data"]["id"].as_str().unwrap().to_string();
            rt.respond_to_approval(&id, Decision::parse("approve", None, None).unwrap())
                .unwrap();
            let again = rt.respond_to_approval(&id, Decision::parse("reject", None, None).unwrap());
            assert_eq!(again, Err(ApprovalError::AlreadyResolved(id.clone())));
        }
    }
    assert!(types.contains(&"approval-decision"));
    assert_eq!(
        *calls.lock().unwrap(),
        vec![json!([{"kind": "a", "payload": {"n": 1}, "references": []}])]
    );
    assert_eq!(rt.plan("p1").unwrap()["status"], "executed");
    assert_eq!(rt.plan("p1").unwrap()["outcome"]["entitiesAffected"], 1);
    assert!(rt.pending_approvals().unwrap().is_empty());
}

#[tokio::test]
async fn a_gated_tool_waits_and_an_unknown_decision_is_not_found() {
    let def = ToolDef {
        approval: ApprovalRule::Always,
        ..ToolDef::new("echo", json!({"type": "object"}))
    };
    let rt = builder()
        .agent(AgentSpec::specialist("w", MODEL, ""))
        .tool("w", def, |args, _ctx| async move { Ok(args) })
        .interpreter(InterpreterKind::Scripted)
        .build()
        .unwrap();
    let missing = rt.respond_to_approval("nope", Decision::parse("approve", None, None).unwrap());
    assert_eq!(missing, Err(ApprovalError::NotFound("nope".into())));
    let mut stream = rt.run_specialist("w", r#"{"tool":"echo","args":{"x":1}}"#, Some("t"));
    let mut results = Vec::new();
    while let Some(part) = stream.next().await {
        if let StreamPart::Data {
            kind: "approval-required",
            data,
        } = &part
        {
            let id = data["id"].as_str().unwrap();
            let reject = Decision::parse("reject", Some("no".into()), None).unwrap();
            rt.respond_to_approval(id, reject).unwrap();
        }
        if let StreamPart::ToolInvocation {
            result: Some(r), ..
        } = part
        {
            results.push(r);
        }
    }
    assert_eq!(
        results,
        vec![
            json!({"do_not_retry": true, "error": "approval_rejected", "reason": "no", "rejected": true})
        ]
    );
}

/// The plan-side events of the flow with `outcome`, as (type, detail) pairs.
async fn plan_events(outcome: &str) -> (Vec<(String, String)>, usize) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let rt = plan_runtime(calls.clone());
    let mut stream = rt.query(&flow(), "thread-1");
    let mut seen = Vec::new();
    while let Some(part) = stream.next().await {
        let v = part.to_value();
        let detail = match part.type_name() {
            "plan-status-change" => format!("{}->{}", v["data"]["from"], v["data"]["to"]),
            "approval-decision" => v["data"]["outcome"]["outcome"].to_string(),
            "tool-invocation" if v["toolName"] == "executePlan" => {
                format!("{} {}", v["state"], v["result"])
            }
            "approval-required" => {
                let id = v["data"]["id"].as_str().unwrap();
                let partial = Some(json!({"hint": "smaller"}));
                rt.respond_to_approval(
                    id,
                    Decision::parse(outcome, Some("why".into()), partial).unwrap(),
                )
                .unwrap();
                String::new()
            }
            _ => continue,
        };
        seen.push((part.type_name().to_string(), detail));
    }
    let n = calls.lock().unwrap().len();
    (seen, n)
}

#[tokio::test]
async fn plan_gate_ordering_for_approve_reject_and_revise() {
    let pair = |t: &str, d: &str| (t.to_string(), d.to_string());
    let (approve, calls) = plan_events("approve").await;
    assert_eq!(calls, 1);
    assert_eq!(
        approve[..5],
        [
            pair("tool-invocation", "\"call\" null"),
            pair("approval-required", ""),
            pair("plan-status-change", "\"draft\"->\"pending_approval\""),
            pair("approval-decision", "\"approve\""),
            pair("plan-status-change", "\"pending_approval\"->\"approved\""),
        ]
    );
    assert!(approve[5].1.starts_with("\"result\" {\"details\""));

    let (reject, calls) = plan_events("reject").await;
    assert_eq!(calls, 0);
    assert_eq!(
        reject[3..],
        [
            pair("approval-decision", "\"reject\""),
            pair("plan-status-change", "\"pending_approval\"->\"draft\""),
            pair(
                "tool-invocation",
                "\"result\" {\"error\":\"Plan p1 rejected: why\"}"
            ),
        ]
    );

    let (revise, calls) = plan_events("revise").await;
    assert_eq!(calls, 0);
    assert_eq!(revise[3..], [
        pair("approval-decision", "\"revise\""),
        pair("plan-status-change", "\"pending_approval\"->\"draft\""),
        pair(
            "tool-invocation",
            "\"result\" {\"partial\":{\"hint\":\"smaller\"},\"plan_id\":\"p1\",\"rejected\":true,\"should_revise\":true}",
        ),
    ]);
}

#[tokio::test]
async fn concurrent_execute_plan_calls_dispatch_once() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let rt = plan_runtime(calls.clone());
    let store = json!({"tool": "storePlan", "args": {"specName": "P", "planId": "p1", "body": {"actions": [{"kind": "a"}]}}});
    let prompt =
        json!({"tool": "call_agent", "args": {"agent": "planner", "prompt": store.to_string()}});
    rt.query(&prompt.to_string(), "t").count().await;
    let execute = json!({"tool": "executePlan", "args": {"planId": "p1"}}).to_string();
    let prompt =
        json!({"tool": "call_agent", "args": {"agent": "executor", "prompt": execute}}).to_string();
    // Two executors race; both gates are approved as soon as they open.
    let run = |thread: &'static str| {
        let rt = rt.clone();
        let prompt = prompt.clone();
        async move {
            let mut stream = rt.query(&prompt, thread);
            let mut result = Value::Null;
            while let Some(part) = stream.next().await {
                let v = part.to_value();
                if part.type_name() == "approval-required" {
                    let id = v["data"]["id"].as_str().unwrap();
                    rt.respond_to_approval(id, Decision::parse("approve", None, None).unwrap())
                        .unwrap();
                }
                if v["toolName"] == "executePlan" && v["state"] == "result" {
                    result = v["result"].clone();
                }
            }
            result
        }
    };
    let (a, b) = futures::join!(run("a"), run("b"));
    assert_eq!(calls.lock().unwrap().len(), 1);
    let refused = [&a, &b]
        .iter()
        .filter(|r| {
            r["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("Invalid plan state for execution: "))
        })
        .count();
    assert_eq!(refused, 1, "{a} / {b}");
}
