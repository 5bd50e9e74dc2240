// Proves a coordinator cannot route to itself.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.", routes(Hub))]
struct Hub;

fn main() {}
