// Proves tool arguments are a struct with named fields (a JSON object).
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search")]
enum SearchArgs {
    Query(String),
}

fn main() {}
