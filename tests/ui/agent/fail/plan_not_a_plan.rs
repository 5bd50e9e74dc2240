// Proves `plan = T` needs a `Plan` type; the error is on `T`.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "planner", model = "claude-sonnet-4-6", prompt = "Plan.", plan = String)]
struct Hub;

fn main() {}
