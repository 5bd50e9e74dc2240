// Proves a coordinator must route somewhere (`define_coordinator requires at least one route`).
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.")]
struct Hub;

fn main() {}
