// Proves `actions` is a `Vec` of actions.
use flowai::typed::{Action, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
struct DemoPlan {
    actions: Option<Step>,
}

fn main() {}
