// Proves a tool must return something: `Result<T, E>`.
use flowai::typed::{tool, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

#[tool]
async fn search(args: SearchArgs) {
    let _ = args;
}

fn main() {}
