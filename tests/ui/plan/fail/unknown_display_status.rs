// Proves display aliases name one of the five plan statuses (`pending_approval` is display-only).
use flowai::typed::{Action, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
#[flowai(display_aliases(pending_approval = "Waiting"))]
struct DemoPlan {
    actions: Vec<Step>,
}

fn main() {}
