//! References from Rust (runtime-behavior §11, §4.6, §10.2): content addressing, tenant
//! salting, TTL, schema rejection, the `references` toolkit and hydration into the action
//! dispatcher.

mod common;

use common::*;
use flowai::plan::dispatcher_fn;
use flowai::spec::{PlanSpec, ReferenceSpec};
use flowai::{AgentSpec, InterpreterKind, ReferenceError, Runtime, TenantIdentity, ToolDef};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn product_set(ttl_ms: Option<u64>) -> ReferenceSpec {
    ReferenceSpec {
        name: "ProductSet".into(),
        schema: json!({"type": "object", "required": ["ids"], "properties": {"ids": {"type": "array", "items": {"type": "string"}}}}),
        ttl_ms,
    }
}

fn runtime_for(tenant: &str, ttl_ms: Option<u64>) -> Runtime {
    let mut worker = AgentSpec::specialist("worker", MODEL, "");
    worker.toolkits = vec!["references".into()];
    Runtime::builder(TenantIdentity::new(tenant, "v1"))
        .agent(worker)
        .reference(product_set(ttl_ms))
        .interpreter(InterpreterKind::Scripted)
        .build()
        .unwrap()
}

fn id_of(handle: &Value) -> String {
    handle["id"].as_str().unwrap().to_string()
}

#[test]
fn same_value_same_tenant_gives_the_same_id_and_tenants_salt_it() {
    let acme = runtime_for("acme", None);
    let globex = runtime_for("globex", None);
    let a = acme
        .create_reference("ProductSet", json!({"ids": ["p1", "p2"]}), None)
        .unwrap();
    let again = acme
        .create_reference("ProductSet", json!({"ids": ["p1", "p2"]}), None)
        .unwrap();
    let other = acme
        .create_reference("ProductSet", json!({"ids": ["p3"]}), None)
        .unwrap();
    let g = globex
        .create_reference("ProductSet", json!({"ids": ["p1", "p2"]}), None)
        .unwrap();
    assert_eq!(
        a,
        json!({"glimpse": {}, "id": id_of(&a), "kind": "ProductSet"})
    );
    assert_eq!(id_of(&a), id_of(&again));
    assert_ne!(id_of(&a), id_of(&other));
    assert_ne!(id_of(&a), id_of(&g));
    assert_eq!(id_of(&a).len(), 24);
    assert!(id_of(&a).chars().all(|c| c.is_ascii_hexdigit()));
    // Another tenant's id is "not found", whatever the value.
    assert_eq!(
        globex.resolve_reference("ProductSet", &id_of(&a)),
        Err(ReferenceError::NotFound {
            kind: "ProductSet".into(),
            id: id_of(&a)
        })
    );
    assert_eq!(
        globex
            .resolve_reference("ProductSet", &id_of(&a))
            .unwrap_err()
            .to_string(),
        format!("reference not found: kind=ProductSet id={}", id_of(&a))
    );
}

#[test]
fn recreating_overwrites_the_glimpse_and_unknown_kinds_are_rejected() {
    let rt = runtime_for("acme", None);
    let value = json!({"ids": ["p1"]});
    let first = rt
        .create_reference("ProductSet", value.clone(), Some(json!({"n": 1})))
        .unwrap();
    rt.create_reference("ProductSet", value.clone(), Some(json!({"n": 2})))
        .unwrap();
    assert_eq!(
        rt.reference_glimpse("ProductSet", &id_of(&first)).unwrap(),
        json!({"n": 2})
    );
    assert_eq!(
        rt.resolve_reference("ProductSet", &id_of(&first)).unwrap(),
        value
    );
    let unknown = rt.create_reference("Nope", json!({}), None).unwrap_err();
    assert_eq!(unknown.to_string(), "unknown reference kind: Nope");
    assert_eq!(
        rt.resolve_reference("Nope", "x").unwrap_err().to_string(),
        "unknown reference kind: Nope"
    );
}

#[test]
fn a_value_failing_the_schema_is_rejected_and_not_stored() {
    let rt = runtime_for("acme", None);
    let err = rt
        .create_reference("ProductSet", json!({"names": []}), None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"schema validation failed for kind 'ProductSet': ["\"ids\" is a required property"]"#
    );
    let id = flowai::reference::content_id("acme", &json!({"names": []}));
    assert!(rt.resolve_reference("ProductSet", &id).is_err());
}

#[tokio::test]
async fn references_expire_after_their_ttl() {
    let rt = runtime_for("acme", Some(40));
    let handle = rt
        .create_reference("ProductSet", json!({"ids": []}), None)
        .unwrap();
    assert!(rt.resolve_reference("ProductSet", &id_of(&handle)).is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    assert_eq!(
        rt.reference_glimpse("ProductSet", &id_of(&handle))
            .unwrap_err()
            .to_string(),
        format!("reference not found: kind=ProductSet id={}", id_of(&handle))
    );
    // Re-creating refreshes the TTL.
    rt.create_reference("ProductSet", json!({"ids": []}), None)
        .unwrap();
    assert!(rt.resolve_reference("ProductSet", &id_of(&handle)).is_ok());
}

fn tool_results(events: &[flowai::StreamPart], tool: &str) -> Vec<Value> {
    events
        .iter()
        .map(|e| e.to_value())
        .filter(|v| v["toolName"] == tool && v["state"] == "result")
        .map(|v| v["result"].clone())
        .collect()
}

#[tokio::test]
async fn resolve_ref_and_glimpse_ref_answer_through_the_scripted_interpreter() {
    let rt = runtime_for("acme", None);
    let handle = rt
        .create_reference(
            "ProductSet",
            json!({"ids": ["p1"]}),
            Some(json!({"count": 1})),
        )
        .unwrap();
    let id = id_of(&handle);
    let script = json!({"script": [
        {"tool": "resolveRef", "args": {"kind": "ProductSet", "id": id}},
        {"tool": "glimpseRef", "args": {"kind": "ProductSet", "id": id}},
        {"tool": "glimpseRef", "args": {"kind": "ProductSet", "id": "nope"}},
        {"tool": "resolveRef", "args": {"kind": "Other", "id": id}},
        {"tool": "resolveRef", "args": {"kind": "ProductSet"}},
    ]});
    let events = collect(rt.run_specialist("worker", &script.to_string(), Some("t"))).await;
    assert_eq!(
        tool_results(&events, "resolveRef"),
        vec![
            json!({"glimpse": {"count": 1}, "kind": "ProductSet", "value": {"ids": ["p1"]}}),
            json!({"error": "unknown reference kind: Other"}),
            json!({"error": "Invalid input: missing field `id`"}),
        ]
    );
    assert_eq!(
        tool_results(&events, "glimpseRef"),
        vec![
            json!({"glimpse": {"count": 1}, "kind": "ProductSet"}),
            json!({"error": "reference not found: kind=ProductSet id=nope"}),
        ]
    );
}

fn plan_runtime(seen: Arc<Mutex<Vec<Value>>>) -> Runtime {
    let mut b = builder()
        .agent(AgentSpec::coordinator(
            "c",
            MODEL,
            "",
            &["planner", "executor"],
        ))
        .agent(AgentSpec::planner("planner", MODEL, ""))
        .agent(AgentSpec::executor("executor", MODEL, ""))
        .reference(product_set(None))
        .action_dispatcher(dispatcher_fn(move |_actions, ctx| {
            seen.lock().unwrap().push(ctx.resolved_refs.clone());
            Ok(json!({"entitiesAffected": 1}))
        }))
        .interpreter(InterpreterKind::Scripted);
    b.spec_mut().plans.push(PlanSpec {
        name: "P".into(),
        schema: json!({"type": "object"}),
        display_aliases: vec![],
    });
    b.spec_mut().approval_policies.plans = flowai::spec::ApprovalRule::Never;
    b.build().unwrap()
}

fn plan_script(plan_id: &str, refs: Value) -> String {
    let store = json!({"tool": "storePlan", "args": {"specName": "P", "planId": plan_id, "body": {"actions": [
        {"kind": "a", "references": refs}, {"kind": "b", "references": refs},
    ]}}});
    let execute = json!({"tool": "executePlan", "args": {"planId": plan_id}});
    json!({"script": [
        {"tool": "call_agent", "args": {"agent": "planner", "prompt": store.to_string()}},
        {"tool": "call_agent", "args": {"agent": "executor", "prompt": execute.to_string()}},
    ]})
    .to_string()
}

#[tokio::test]
async fn plans_hydrate_references_into_the_dispatcher_or_fail_when_missing() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rt = plan_runtime(seen.clone());
    let handle = rt
        .create_reference("ProductSet", json!({"ids": ["p1"]}), None)
        .unwrap();
    let id = id_of(&handle);
    let refs = json!([{"kind": "ProductSet", "id": id}]);
    let events = collect(rt.query(&plan_script("p1", refs), "t1")).await;
    let results = tool_results(&events, "executePlan");
    assert_eq!(results[0]["entitiesAffected"], 1, "{results:?}");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![json!({"ProductSet": {id.clone(): {"ids": ["p1"]}}})]
    );
    let missing = json!([{"kind": "ProductSet", "id": "gone"}]);
    let events = collect(rt.query(&plan_script("p2", missing), "t2")).await;
    assert_eq!(
        tool_results(&events, "executePlan"),
        vec![
            json!({"error": "Dispatch failed: reference required by plan is missing: kind=ProductSet id=gone"})
        ]
    );
    assert_eq!(rt.plan("p2").unwrap()["status"], "failed");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn tools_reach_references_through_their_context_and_large_values_stay_out_of_events() {
    let big = "x".repeat(50 * 1024 * 1024);
    let rt = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::specialist("s", MODEL, ""))
        .reference(ReferenceSpec {
            name: "Blob".into(),
            schema: json!({"type": "object"}),
            ttl_ms: None,
        })
        .tool("s", ToolDef::new("make", json!({"type": "object"})), {
            let big = big.clone();
            move |_args, ctx| {
                let big = big.clone();
                async move {
                    let handle = ctx
                        .references()
                        .create("Blob", json!({"data": big}), json!({"bytes": big.len()}))
                        .map_err(|e| e.to_string())?;
                    let back = ctx
                        .references()
                        .resolve("Blob", handle["id"].as_str().unwrap())
                        .map_err(|e| e.to_string())?;
                    assert_eq!(back["data"].as_str().map(str::len), Some(big.len()));
                    Ok(handle)
                }
            }
        })
        .interpreter(InterpreterKind::Scripted)
        .build()
        .unwrap();
    let script = json!({"tool": "make", "args": {}}).to_string();
    let events = collect(rt.run_specialist("s", &script, Some("t"))).await;
    let handle = &tool_results(&events, "make")[0];
    assert_eq!(handle["glimpse"], json!({"bytes": big.len()}));
    let total: usize = wire(&events).iter().map(String::len).sum();
    assert!(total < 10_000, "events carry {total} bytes");
    let value = rt.resolve_reference("Blob", &id_of(handle)).unwrap();
    assert_eq!(value["data"].as_str().unwrap().len(), big.len());
}
