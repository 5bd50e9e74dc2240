// Proves a derived plan gives the wire `PlanSpec` (name, schemars schema, display aliases).
use flowai::typed::{Action, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum PricingAction {
    PriceChange { sku: String, price: f64 },
    PromotionLaunch { name: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
#[flowai(name = "PricingPlan", display_aliases(draft = "Pending review", executed = "Done"))]
struct Pricing {
    actions: Vec<PricingAction>,
    #[allow(dead_code)]
    rationale: String,
}

fn main() {
    let spec = Pricing::plan_spec();
    assert_eq!(spec.name, "PricingPlan");
    assert_eq!(spec.display_aliases.len(), 2);
    assert_eq!(spec.display_aliases[1].status, "executed");
    assert_eq!(spec.schema["required"], serde_json::json!(["actions", "rationale"]));
    let plan: Pricing = serde_json::from_value(serde_json::json!({
        "actions": [{"kind": "promotion_launch", "name": "spring"}],
        "rationale": "seasonal"
    }))
    .unwrap();
    assert_eq!(plan.actions()[0].kind(), "promotion_launch");
}
