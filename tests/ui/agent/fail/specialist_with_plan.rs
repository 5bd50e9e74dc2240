// Proves a specialist takes no `plan`.
use flowai::typed::{Action, Agent, Plan};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
struct DemoPlan {
    actions: Vec<Step>,
}

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", plan = DemoPlan)]
struct Hub;

fn main() {}
