// Proves a route must be an agent type; the error is on the route.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.")]
struct Worker;

struct Database;

#[derive(Agent)]
#[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.", routes(Worker, Database))]
struct Hub;

fn main() {}
