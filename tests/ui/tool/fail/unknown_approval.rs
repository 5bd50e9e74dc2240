// Proves a tool approval is `never` or `always` (or a `predicate`).
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search", approval = "sometimes")]
struct SearchArgs {
    query: String,
}

fn main() {}
