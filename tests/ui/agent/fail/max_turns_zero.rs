// Proves `max_turns` is at least 1.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", max_turns = 0)]
struct Hub;

fn main() {}
