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

/// The wire `RuntimeSpec` of the Rust Acme runtime equals `acme.spec.json`, which the Python
/// test `test_example_acme.py` holds against `define_runtime` too: both front ends build
/// the same spec. `FLOWAI_BLESS=1` rewrites the file from the Rust side.
#[test]
fn the_rust_spec_is_the_golden_spec() {
    let rt = flowai_examples::acme::runtime(Default::default());
    let actual = serde_json::to_value(rt.spec()).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("acme.spec.json");
    if std::env::var_os("FLOWAI_BLESS").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
    }
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(actual, golden);
}
