// Proves the first parameter derives `Tool`; the error is on its type.
use flowai::typed::tool;

#[derive(serde::Deserialize)]
struct Query {
    query: String,
}

#[tool]
async fn search(args: Query) -> Result<String, String> {
    Ok(args.query)
}

fn main() {}
