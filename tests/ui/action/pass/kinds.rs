// Proves action kinds follow serde's renames, and `kind()` reads a decoded action.
use flowai::typed::Action;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    PriceChange { sku: String, price: f64 },
    #[serde(rename = "launch")]
    PromotionLaunch { name: String },
    Pause,
}

fn main() {
    assert_eq!(Step::KINDS, ["price_change", "launch", "pause"]);
    let step: Step = serde_json::from_value(serde_json::json!({"kind": "price_change", "sku": "a", "price": 1.5})).unwrap();
    assert_eq!(step.kind(), "price_change");
    assert!(Step::action_schema().to_string().contains("launch"));
}
