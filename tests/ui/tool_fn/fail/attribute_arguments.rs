// Proves `#[tool]` takes no arguments: the definition lives on the argument struct.
use flowai::typed::{tool, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

#[tool(name = "search")]
async fn search(args: SearchArgs) -> Result<String, String> {
    Ok(args.query)
}

fn main() {}
