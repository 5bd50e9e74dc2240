// Proves an agent is a struct.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.")]
enum Hub {
    One,
}

fn main() {}
