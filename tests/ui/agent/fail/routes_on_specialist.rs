// Proves only a coordinator has routes.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Worker;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", routes(Worker))]
struct Hub;

fn main() {}
