// Proves approval rules are `never`, `always` or `default`.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", approval(tools = "sometimes"))]
struct Hub;

fn main() {}
