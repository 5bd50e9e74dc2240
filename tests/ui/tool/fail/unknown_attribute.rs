// Proves a misspelled key is named in the error.
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search", aproval = "always")]
struct SearchArgs {
    query: String,
}

fn main() {}
