// Proves the items of `actions` derive `Action`; the error is on the item type.
use flowai::typed::{Action, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
struct DemoPlan {
    actions: Vec<String>,
}

fn main() {}
