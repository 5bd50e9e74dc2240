// Proves a tool has one approval rule: not both `approval` and `predicate`.
use flowai::typed::Tool;

fn needs_review(_: &SearchArgs) -> bool {
    true
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search", approval = "always", predicate = needs_review)]
struct SearchArgs {
    query: String,
}

fn main() {}
