// Proves a planner needs a `plan`.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "planner", model = "claude-sonnet-4-6", prompt = "Plan.")]
struct Hub;

fn main() {}
