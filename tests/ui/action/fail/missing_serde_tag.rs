// Proves actions are internally tagged: `#[serde(tag = "kind")]` is required.
use flowai::typed::Action;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(rename_all = "snake_case")]
enum Step {
    PriceChange { sku: String },
    PromotionLaunch { name: String },
}

fn main() {}
