// Proves toolkit ids are the built-in ones.
use flowai::typed::Agent;

#[derive(Agent)]
#[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Help.", toolkits("web"))]
struct Hub;

fn main() {}
