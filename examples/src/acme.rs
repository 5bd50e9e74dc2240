//! The Acme scenario in Rust, written with the derives: a coordinator routes to a product
//! specialist, a planner and an executor. The planner drafts a typed plan whose actions are
//! a tagged union of `price_change` and `promotion_launch`; the executor runs it through the
//! plan approval gate; the action dispatcher applies approved actions to a catalog. The same
//! scenario in Python is `examples/python/acme.py`.

use flowai::approval::Decision;
use flowai::plan::dispatcher_fn;
use flowai::typed::{tool, Action, Agent, Plan, Tool};
use flowai::{InterpreterKind, Runtime, StreamPart, TenantIdentity};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// One action of an Acme plan.
#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AcmeAction {
    /// Set a product's price.
    PriceChange {
        /// Product SKU.
        sku: String,
        /// The new price.
        new_price: f64,
    },
    /// Start a promotion on a product.
    PromotionLaunch {
        /// Product SKU.
        sku: String,
        /// Discount in percent.
        discount_percent: u32,
    },
}

/// A pricing plan.
#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
#[flowai(name = "AcmePlan")]
pub struct AcmePlan {
    /// What the plan is for.
    pub goal: String,
    /// The actions, in order.
    pub actions: Vec<AcmeAction>,
}

/// Find catalog products by SKU or name.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search_products")]
pub struct SearchArgs {
    /// SKU or product name.
    pub query: String,
}

/// The catalog before any plan runs.
pub fn catalog() -> Value {
    json!({"SKU-1": {"name": "Tea", "price": 9.99}, "SKU-2": {"name": "Coffee", "price": 12.5}})
}

#[tool]
async fn search_products(args: SearchArgs) -> Result<Value, String> {
    let all = catalog();
    let found = all
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(sku, item)| **sku == args.query || item["name"] == args.query.as_str());
    Ok(Value::Object(
        found.map(|(k, v)| (k.clone(), v.clone())).collect(),
    ))
}

/// Answers product questions.
#[derive(Agent)]
#[flowai(
    role = "specialist",
    model = "claude-sonnet-4-6",
    prompt = "Answer product questions.",
    tools(SearchProducts)
)]
pub struct ProductSpecialist;

/// Drafts pricing plans.
#[derive(Agent)]
#[flowai(role = "planner", model = "claude-sonnet-4-6", prompt = "Draft pricing plans.", plan = AcmePlan)]
pub struct AcmePlanner;

/// Executes approved plans.
#[derive(Agent)]
#[flowai(role = "executor", model = "claude-sonnet-4-6", prompt = "Execute approved plans.", plan = AcmePlan)]
pub struct AcmeExecutor;

/// Routes pricing work.
#[derive(Agent)]
#[flowai(
    role = "coordinator",
    model = "claude-sonnet-4-6",
    prompt = "Route pricing work.",
    routes(ProductSpecialist, AcmePlanner, AcmeExecutor)
)]
pub struct AcmeCoordinator;

/// The Acme runtime on the scripted interpreter; `applied` collects each dispatched action.
pub fn runtime(applied: Arc<Mutex<Vec<Value>>>) -> Runtime {
    Runtime::builder(TenantIdentity::new("acme", "v1"))
        .derived::<AcmeCoordinator>()
        .derived::<ProductSpecialist>()
        .derived::<AcmePlanner>()
        .derived::<AcmeExecutor>()
        .action_dispatcher(dispatcher_fn(move |actions, _ctx| {
            let actions = actions.as_array().cloned().unwrap_or_default();
            let n = actions.len();
            applied.lock().expect("applied").extend(actions);
            Ok(json!({"entitiesAffected": n, "summary": format!("applied {n} actions")}))
        }))
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("the Acme spec is valid")
}

/// The plan body the scripted planner stores.
pub fn plan_body() -> Value {
    json!({"goal": "Spring pricing", "actions": [
        {"kind": "price_change", "sku": "SKU-1", "new_price": 8.49},
        {"kind": "promotion_launch", "sku": "SKU-2", "discount_percent": 15},
    ]})
}

fn script(calls: &[(&str, Value)]) -> String {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(t, a)| json!({"tool": t, "args": a}))
        .collect();
    json!({ "script": calls }).to_string()
}

/// The coordinator's script: look the product up, draft the plan, execute it.
pub fn prompt() -> String {
    let search = script(&[("search_products", json!({"query": "SKU-1"}))]);
    let store = script(&[(
        "storePlan",
        json!({"specName": "AcmePlan", "planId": "acme-plan-1", "body": plan_body()}),
    )]);
    let execute = script(&[("executePlan", json!({"planId": "acme-plan-1"}))]);
    script(&[
        (
            "call_agent",
            json!({"agent": "product_specialist", "prompt": search}),
        ),
        (
            "call_agent",
            json!({"agent": "acme_planner", "prompt": store}),
        ),
        (
            "call_agent",
            json!({"agent": "acme_executor", "prompt": execute}),
        ),
    ])
}

/// Runs the scenario, answering the plan gate with `decision`; returns the events and the
/// actions the dispatcher applied.
pub async fn run_flow(decision: Decision) -> (Vec<StreamPart>, Vec<Value>) {
    let applied = Arc::new(Mutex::new(Vec::new()));
    let rt = runtime(applied.clone());
    let mut stream = rt.query(&prompt(), "acme-thread");
    let mut events = Vec::new();
    while let Some(part) = stream.next().await {
        if let StreamPart::Data {
            kind: "approval-required",
            data,
        } = &part
        {
            let id = data["id"].as_str().expect("approval id");
            rt.respond_to_approval(id, decision.clone())
                .expect("pending approval");
        }
        events.push(part);
    }
    let applied = applied.lock().expect("applied").clone();
    (events, applied)
}
