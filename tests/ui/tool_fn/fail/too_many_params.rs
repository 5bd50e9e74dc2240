// Proves a tool takes the arguments and at most a context.
use flowai::typed::{tool, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
struct SearchArgs {
    query: String,
}

#[tool]
async fn search(args: SearchArgs, limit: u32, page: u32) -> Result<String, String> {
    let _ = (limit, page);
    Ok(args.query)
}

fn main() {}
