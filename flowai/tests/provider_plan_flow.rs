//! The coordinator -> planner -> executor flow with plan approval, with every decision made
//! by a model on the fake Anthropic server and on the fake OpenAI server, then replayed
//! offline from its cassette with the same events.

#[path = "provider_support.rs"]
mod support;

use flowai::approval::Decision;
use flowai::plan::dispatcher_fn;
use flowai::provider::{Anthropic, OpenAiCompatible, Provider, ProviderHandle, Recorder, Replay};
use flowai::spec::PlanSpec;
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use support::{anthropic_turn, openai_turn, FakeServer, Reply, SECRET};

type Turn = fn(Option<&str>, Option<(&str, &str, Value)>) -> Reply;

/// The model's side of the flow, one reply per model call, in call order.
fn script(turn: Turn) -> Vec<Reply> {
    let body = json!({"actions": [{"kind": "restock", "sku": "A-1", "qty": 5}]});
    vec![
        turn(
            Some("Planning first."),
            Some((
                "t1",
                "call_agent",
                json!({"agent": "planner", "prompt": "Draft a restock plan."}),
            )),
        ),
        turn(
            None,
            Some((
                "t2",
                "storePlan",
                json!({"specName": "Restock", "planId": "p1", "body": body}),
            )),
        ),
        turn(Some("Stored plan p1."), None),
        turn(
            None,
            Some((
                "t3",
                "call_agent",
                json!({"agent": "executor", "prompt": "Execute plan p1."}),
            )),
        ),
        turn(None, Some(("t4", "executePlan", json!({"planId": "p1"})))),
        turn(Some("Executed p1."), None),
        turn(Some("Restocked A-1."), None),
    ]
}

fn runtime(provider: Arc<dyn Provider>, calls: Arc<Mutex<Vec<Value>>>) -> Runtime {
    let model = "claude-sonnet-4-6";
    let mut b = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "boss",
            model,
            "Delegate.",
            &["planner", "executor"],
        ))
        .agent(AgentSpec::planner("planner", model, "Draft plans."))
        .agent(AgentSpec::executor("executor", model, "Execute plans."))
        .action_dispatcher(dispatcher_fn(move |actions, _ctx| {
            calls.lock().unwrap().push(actions.clone());
            Ok(json!({"entitiesAffected": 1}))
        }))
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(provider)));
    b.spec_mut().plans.push(PlanSpec {
        name: "Restock".into(),
        schema: json!({"type": "object", "required": ["actions"]}),
        display_aliases: vec![],
    });
    b.build().unwrap()
}

/// Runs the flow, approving the plan when asked.
async fn run(rt: &Runtime) -> Vec<StreamPart> {
    let mut stream = rt.query("Restock A-1.", "thread-1");
    let mut events = Vec::new();
    while let Some(part) = stream.next().await {
        if let StreamPart::Data {
            kind: "approval-required",
            data,
        } = &part
        {
            let id = data["id"].as_str().unwrap().to_string();
            rt.respond_to_approval(&id, Decision::parse("approve", None, None).unwrap())
                .unwrap();
        }
        events.push(part);
    }
    events
}

/// Events with run-specific values blanked: ids, timings, timestamps.
fn normalized(events: &[StreamPart]) -> Vec<Value> {
    fn blank(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k.ends_with("At") && x.is_string() {
                        *x = "<time>".into();
                    } else {
                        blank(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(blank),
            _ => {}
        }
    }
    let mut out = support::normalized(events);
    for v in &mut out {
        if v["type"] == "approval-required" || v["type"] == "approval-decision" {
            v["data"]["id"] = "<approval>".into();
        }
        if v["type"] == "approval-required" {
            v["data"]["runId"] = "<run>".into();
        }
        blank(v);
    }
    out
}

fn check(events: &[StreamPart], calls: &Mutex<Vec<Value>>) {
    let types = support::types(events);
    let n = |t: &str| types.iter().filter(|x| **x == t).count();
    assert_eq!(n("tool-agent"), 6, "{types:?}");
    assert_eq!(n("approval-required"), 1);
    assert_eq!(n("approval-decision"), 1);
    assert_eq!(n("error"), 0, "{:?}", support::normalized(events));
    let at = |t: &str| types.iter().position(|x| *x == t).unwrap();
    assert!(at("approval-required") < at("approval-decision"));
    assert_eq!(
        *calls.lock().unwrap(),
        vec![json!([{"kind": "restock", "payload": {"qty": 5, "sku": "A-1"}, "references": []}])]
    );
    let last: Vec<_> = types.iter().rev().take(4).collect();
    assert_eq!(
        last,
        [
            &"tool-agent",
            &"finish",
            &"data-latency-summary",
            &"data-cost-summary"
        ]
    );
    assert_eq!(n("data-cost-summary"), 3, "one per agent turn");
    assert_eq!(
        events[events.len() - 5],
        StreamPart::Text {
            text: "Restocked A-1.".into()
        }
    );
}

async fn flow(provider: Arc<dyn Provider>, server: &FakeServer) -> Vec<StreamPart> {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let rt = runtime(provider, calls.clone());
    let events = run(&rt).await;
    check(&events, &calls);
    assert_eq!(rt.plan("p1").unwrap()["status"], "executed");
    assert_eq!(server.received().len(), 7);
    assert_eq!(server.unused(), 0);
    events
}

#[tokio::test]
async fn on_the_fake_anthropic_server_and_replayed() {
    let server = FakeServer::start(script(anthropic_turn)).await;
    let anthropic =
        Anthropic::from_config(&json!({"apiKey": SECRET, "baseUrl": server.url})).unwrap();
    let dir = std::env::temp_dir().join(format!("flowai-plan-flow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cassette = dir.join("plan-flow.jsonl");
    let recorder = Recorder::new(Arc::new(anthropic), &cassette).unwrap();
    let live = flow(Arc::new(recorder), &server).await;
    // The executor saw the gated tool's result and the coordinator the sub-agent's answer.
    let sent = server.received();
    assert_eq!(sent[4].body["tools"][1]["name"], "executePlan");
    let result = &sent[5].body["messages"][2]["content"][0];
    assert_eq!(result["type"], "tool_result");
    assert!(
        result["content"]
            .as_str()
            .unwrap()
            .contains(r#""entitiesAffected":1"#),
        "{result}"
    );

    let calls = Arc::new(Mutex::new(Vec::new()));
    let replay = Arc::new(Replay::open(&cassette).unwrap());
    let replayed = run(&runtime(replay.clone(), calls.clone())).await;
    check(&replayed, &calls);
    assert_eq!(normalized(&replayed), normalized(&live));
    assert_eq!(replay.remaining(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn on_the_fake_openai_server() {
    let server = FakeServer::start(script(openai_turn)).await;
    let config = json!({"baseUrl": format!("{}/v1", server.url)});
    let openai = OpenAiCompatible::from_config(&config).unwrap();
    flow(Arc::new(openai), &server).await;
    let sent = server.received();
    let messages = sent[6].body["messages"].as_array().unwrap();
    let roles: Vec<_> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "assistant", "tool"]
    );
    assert_eq!(messages[5]["tool_call_id"], "t3");
}
