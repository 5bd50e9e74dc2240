// Proves a plan has an `actions` field.
use flowai::typed::{Action, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
struct DemoPlan {
    steps: Vec<Step>,
}

fn main() {}
