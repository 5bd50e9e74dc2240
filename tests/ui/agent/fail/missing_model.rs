// Proves `model` is required.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", prompt = "Help.")]
struct Hub;

fn main() {}
