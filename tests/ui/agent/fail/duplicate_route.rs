// Proves a route cannot be listed twice.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Worker;

#[derive(Agent)]
#[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.", routes(Worker, Worker))]
struct Hub;

fn main() {}
