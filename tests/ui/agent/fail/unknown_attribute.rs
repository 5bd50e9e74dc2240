// Proves a misspelled key is named in the error (`modle`).
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", modle = "claude-sonnet-4-6", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Hub;

fn main() {}
