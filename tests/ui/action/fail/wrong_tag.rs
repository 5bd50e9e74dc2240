// Proves the action tag is `kind`, as stored plans spell it.
use flowai::typed::Action;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Step {
    PriceChange { sku: String },
    PromotionLaunch { name: String },
}

fn main() {}
