// Proves two variants cannot share a kind.
use flowai::typed::Action;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    PriceChange { sku: String },
    #[serde(rename = "price_change")]
    Reprice { sku: String },
}

fn main() {}
