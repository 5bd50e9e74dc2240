// Proves an action type is an enum of kinds.
use flowai::typed::Action;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind")]
struct Step {
    sku: String,
}

fn main() {}
