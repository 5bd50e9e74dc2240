// Proves a predicate is a `fn(&Args) -> bool`; the error is on the predicate.
use flowai::typed::Tool;

fn needs_review(_: &str) -> bool {
    true
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search", predicate = needs_review)]
struct SearchArgs {
    query: String,
}

fn main() {}
