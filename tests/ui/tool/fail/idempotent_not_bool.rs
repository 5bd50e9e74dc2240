// Proves `idempotent` is a flag or a bool, not a string.
use flowai::typed::Tool;

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "lookup", idempotent = "yes")]
struct LookupArgs {
    sku: String,
}

fn main() {}
