// Proves `tools(T)` needs a typed tool; the error is on `T`.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Worker;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", tools(Worker))]
struct Hub;

fn main() {}
