// Proves a tool name is what model providers accept.
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search products")]
struct SearchArgs {
    query: String,
}

fn main() {}
