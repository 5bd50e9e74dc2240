//! Typed tools run on the engine: a `#[tool]` function registered through its generated
//! handle decodes the model's JSON arguments, receives the tool context when it asks for
//! it, and its `Ok`/`Err` become the tool result or the tool error.
#![cfg(feature = "runtime")]

use flowai::spec::ApprovalRule;
use flowai::tool::ToolContext;
use flowai::typed::{tool, Agent, Tool, ToolArgs, TypedTool};
use flowai::{InterpreterKind, Runtime, TenantIdentity};
use futures::StreamExt;
use serde_json::{json, Value};

/// Look a product up by SKU.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "lookup")]
struct LookupArgs {
    sku: String,
    #[serde(default)]
    #[allow(dead_code)]
    budget: u32,
}

/// Refund an order.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "refund", predicate = expensive)]
struct RefundArgs {
    amount: u32,
}

/// Fetch a price list (safe to run twice).
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "fetch_prices", idempotent)]
struct FetchArgs {
    #[allow(dead_code)]
    region: String,
}

#[tool]
async fn fetch_prices(args: FetchArgs) -> Result<String, String> {
    Ok(args.region)
}

/// Send an invoice (never twice).
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "send_invoice", idempotent = false)]
struct SendArgs {
    #[allow(dead_code)]
    to: String,
}

#[tool]
async fn send_invoice(args: SendArgs) -> Result<String, String> {
    Ok(args.to)
}

#[derive(Agent)]
#[flowai(
    role = "specialist",
    model = "claude-sonnet-4-6",
    prompt = "Bill.",
    tools(FetchPrices, SendInvoice, Lookup)
)]
struct Billing;

fn expensive(args: &RefundArgs) -> bool {
    args.amount > 1_000
}

#[derive(serde::Serialize)]
struct Product {
    sku: String,
    price: f64,
    agent: String,
}

#[tool]
async fn lookup(args: LookupArgs, ctx: ToolContext) -> Result<Product, String> {
    if args.sku.is_empty() {
        return Err("empty sku".into());
    }
    Ok(Product {
        sku: args.sku,
        price: 9.99,
        agent: ctx.agent_name,
    })
}

#[derive(Agent)]
#[flowai(
    role = "specialist",
    model = "claude-sonnet-4-6",
    prompt = "Answer.",
    tools(Lookup)
)]
struct Catalog;

fn runtime() -> Runtime {
    let mut builder =
        Runtime::builder(TenantIdentity::new("acme", "v1")).agent(Catalog::agent_spec());
    for tool in Catalog::TOOLS {
        builder = builder.tool(Catalog::NAME, tool.def(), tool.handler());
    }
    assert_eq!(Catalog::tool_bindings()[0].def, Lookup::def());
    builder
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("builds")
}

/// The `tool-invocation` result of the first tool call.
async fn result_of(args: Value) -> Value {
    let script = json!({"tool": "lookup", "args": args}).to_string();
    let events: Vec<Value> = runtime()
        .run_specialist("catalog", &script, Some("thread-1"))
        .map(|e| e.to_value())
        .collect()
        .await;
    events
        .into_iter()
        .find(|e| e["type"] == "tool-invocation" && e["state"] == "result")
        .unwrap_or_else(|| panic!("no tool result"))["result"]
        .clone()
}

#[test]
fn the_generated_definition() {
    let def = Lookup::def();
    assert_eq!(def.name, "lookup");
    assert_eq!(def.binding_id, "lookup");
    assert_eq!(def.description, "Look a product up by SKU.");
    assert_eq!(def.approval, ApprovalRule::Never);
    assert_eq!(def.input_schema["required"], json!(["sku"]));
    assert_eq!(
        RefundArgs::approval(),
        ApprovalRule::Dynamic {
            value: "expensive".into()
        }
    );
    let predicate = RefundArgs::approval_predicate().unwrap();
    assert_eq!(predicate.id(), "expensive");
    assert!(predicate.requires_approval(&json!({"amount": 5000})));
    assert!(!predicate.requires_approval(&json!({"amount": 5})));
}

#[test]
fn idempotent_reaches_the_definition_and_the_agent_bindings() {
    // Declared, explicitly not, and by default not.
    let declared = [
        FetchArgs::IDEMPOTENT,
        SendArgs::IDEMPOTENT,
        LookupArgs::IDEMPOTENT,
    ];
    assert_eq!(declared, [true, false, false]);
    let defs = [
        FetchPrices::def().idempotent,
        SendInvoice::def().idempotent,
        Lookup::def().idempotent,
    ];
    assert_eq!(defs, [true, false, false]);
    // What `RuntimeBuilder::derived` registers.
    let bindings: Vec<(String, bool)> = Billing::tool_bindings()
        .into_iter()
        .map(|b| (b.def.name, b.def.idempotent))
        .collect();
    assert_eq!(
        bindings,
        [
            ("fetch_prices".to_string(), true),
            ("send_invoice".to_string(), false),
            ("lookup".to_string(), false)
        ]
    );
}

#[tokio::test]
async fn a_call_decodes_runs_and_encodes() {
    let result = result_of(json!({"sku": "tea-1"})).await;
    assert_eq!(
        result,
        json!({"sku": "tea-1", "price": 9.99, "agent": "catalog"})
    );
}

#[tokio::test]
async fn errors_become_tool_errors() {
    assert_eq!(
        result_of(json!({"sku": ""})).await,
        json!({"error": "empty sku"})
    );
    let bad = result_of(json!({"budget": 3})).await;
    assert_eq!(bad, json!({"error": "Invalid input: missing field `sku`"}));
}
