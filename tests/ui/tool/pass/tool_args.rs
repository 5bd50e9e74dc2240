// Proves a derived tool carries its name, doc description, schema and rules.
use flowai::spec::ApprovalRule;
use flowai::typed::{Tool, ToolArgs};

/// Search the
/// catalog.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search_products", approval = "always")]
struct SearchArgs {
    query: String,
    #[allow(dead_code)]
    limit: Option<u32>,
}

#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "refund", description = "Refund an order.", predicate = large)]
struct RefundArgs {
    amount: u32,
}

fn large(args: &RefundArgs) -> bool {
    args.amount > 100
}

fn main() {
    assert_eq!(SearchArgs::DESCRIPTION, "Search the catalog.");
    assert_eq!(SearchArgs::approval(), ApprovalRule::Always);
    assert_eq!(SearchArgs::input_schema()["required"], serde_json::json!(["query"]));
    assert_eq!(SearchArgs::from_json(serde_json::json!({"query": "tea"})).unwrap().query, "tea");
    assert_eq!(RefundArgs::approval(), ApprovalRule::Dynamic { value: "large".into() });
    let predicate = RefundArgs::approval_predicate().unwrap();
    assert!(predicate.requires_approval(&serde_json::json!({"amount": 101})));
    assert!(!predicate.requires_approval(&serde_json::json!({"amount": 1})));
}
