// Proves an executor needs a `plan`.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "executor", model = "claude-sonnet-4-6", prompt = "Execute.")]
struct Hub;

fn main() {}
