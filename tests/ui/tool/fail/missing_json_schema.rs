// Proves tool arguments must derive `JsonSchema` (their input schema).
use flowai::typed::Tool;

#[derive(serde::Deserialize, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

fn main() {}
