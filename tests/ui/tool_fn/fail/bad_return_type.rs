// Proves a tool returns `Result<T, E>`; the error is on the return type.
use flowai::typed::{tool, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

#[tool]
async fn search(args: SearchArgs) -> String {
    args.query
}

fn main() {}
