//! The Rust Acme scenario: derived agents, a tagged-union plan, the plan gate answered with
//! approve, reject and revise.

use flowai::approval::Decision;
use flowai::typed::Agent;
use flowai::StreamPart;
use flowai_examples::acme::{run_flow, AcmeCoordinator, AcmeExecutor};
use serde_json::{json, Value};

fn execute_result(events: &[StreamPart]) -> Value {
    events
        .iter()
        .map(StreamPart::to_value)
        .find(|v| v["toolName"] == "executePlan" && v["state"] == "result")
        .expect("executePlan result")["result"]
        .clone()
}

#[tokio::test]
async fn approve_dispatches_both_typed_actions_once() {
    let (events, applied) = run_flow(Decision::parse("approve", None, None).unwrap()).await;
    assert_eq!(
        applied,
        vec![
            json!({"kind": "price_change", "payload": {"new_price": 8.49, "sku": "SKU-1"}, "references": []}),
            json!({"kind": "promotion_launch", "payload": {"discount_percent": 15, "sku": "SKU-2"}, "references": []}),
        ]
    );
    assert_eq!(execute_result(&events)["entitiesAffected"], 2);
    let names: Vec<Value> = events
        .iter()
        .map(StreamPart::to_value)
        .filter(|v| v["type"] == "tool-agent" && v["state"] == "call")
        .map(|v| v["agentName"].clone())
        .collect();
    assert_eq!(
        names,
        [
            "acme_coordinator",
            "product_specialist",
            "acme_planner",
            "acme_executor"
        ]
    );
}

#[tokio::test]
async fn reject_and_revise_dispatch_nothing() {
    let (events, applied) =
        run_flow(Decision::parse("reject", Some("too deep".into()), None).unwrap()).await;
    assert!(applied.is_empty());
    assert_eq!(
        execute_result(&events),
        json!({"error": "Plan acme-plan-1 rejected: too deep"})
    );
    let partial = Some(json!({"max_discount": 10}));
    let (events, applied) = run_flow(Decision::parse("revise", None, partial).unwrap()).await;
    assert!(applied.is_empty());
    assert_eq!(
        execute_result(&events),
        json!({"partial": {"max_discount": 10}, "plan_id": "acme-plan-1", "rejected": true, "should_revise": true})
    );
}

#[test]
fn derived_agents_have_the_wire_shape_of_the_python_helpers() {
    let coordinator = serde_json::to_value(AcmeCoordinator::agent_spec()).unwrap();
    assert_eq!(
        coordinator,
        json!({
            "name": "acme_coordinator", "role": "coordinator", "stateful": true,
            "model": {"id": "claude-sonnet-4-6", "provider": null},
            "systemPrompt": "Route pricing work.",
            "routes": ["product_specialist", "acme_planner", "acme_executor"], "toolkits": []
        })
    );
    assert_eq!(AcmeExecutor::plan().unwrap().name, "AcmePlan");
}
