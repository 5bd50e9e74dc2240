// Proves the role is one of the four.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "manager", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Hub;

fn main() {}
