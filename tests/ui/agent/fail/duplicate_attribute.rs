// Proves a key cannot be given twice.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", model = "gpt-4o", prompt = "Help.")]
struct Hub;

fn main() {}
