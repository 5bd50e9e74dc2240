// Proves `idempotent` (a flag, or `= true` / `= false`) is known at compile time, and is
// off by default.
use flowai::typed::{Tool, ToolArgs};

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "lookup", idempotent)]
struct LookupArgs {
    sku: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(idempotent = true, name = "fetch")]
struct FetchArgs {
    region: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "charge", idempotent = false)]
struct ChargeArgs {
    cents: u64,
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "refund")]
struct RefundArgs {
    cents: u64,
}

const _: () = assert!(LookupArgs::IDEMPOTENT && FetchArgs::IDEMPOTENT);
const _: () = assert!(!ChargeArgs::IDEMPOTENT && !RefundArgs::IDEMPOTENT);

fn main() {
    let lookup = LookupArgs::from_json(serde_json::json!({"sku": "A-1"})).unwrap();
    let fetch = FetchArgs::from_json(serde_json::json!({"region": "eu"})).unwrap();
    let charge = ChargeArgs::from_json(serde_json::json!({"cents": 5})).unwrap();
    let refund = RefundArgs::from_json(serde_json::json!({"cents": 6})).unwrap();
    assert_eq!((lookup.sku.as_str(), fetch.region.as_str()), ("A-1", "eu"));
    assert_eq!((charge.cents, refund.cents), (5, 6));
}
