// Proves a `#[tool]` function is `async`.
use flowai::typed::{tool, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

#[tool]
fn search(args: SearchArgs) -> Result<String, String> {
    Ok(args.query)
}

fn main() {}
