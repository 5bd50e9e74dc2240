// Proves a tool needs a `name`.
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(approval = "never")]
struct SearchArgs {
    query: String,
}

fn main() {}
