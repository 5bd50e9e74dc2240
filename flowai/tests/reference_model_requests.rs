//! A 50 MB value goes through a reference and never into a model request (issue 4): a
//! tool creates the reference, the model only sees the handle and the glimpse (through
//! the tool result and `glimpseRef`), and every request the fake Anthropic server received
//! is checked for size and for the value's content. The host then resolves the value.

#[path = "provider_support.rs"]
mod support;

use flowai::provider::{Anthropic, ProviderHandle};
use flowai::spec::ReferenceSpec;
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use support::{anthropic_turn, FakeServer, SECRET};

const MARKER: &str = "ROW-PAYLOAD-7f3a";

fn big_value() -> Value {
    // 50 MB of rows, each carrying a marker no model request may contain.
    let row = format!("{MARKER}-{}", "x".repeat(1000));
    let rows: Vec<Value> = (0..50_000).map(|_| Value::String(row.clone())).collect();
    json!({"rows": rows})
}

#[tokio::test]
async fn a_50_mb_reference_never_reaches_the_model() {
    let value = big_value();
    let size = serde_json::to_vec(&value).unwrap().len();
    assert!(size >= 50_000_000, "{size}");
    // The id is content-addressed, so the model's scripted glimpseRef call can name it.
    let probe = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .reference(ReferenceSpec {
            name: "RowSet".into(),
            schema: json!({"type": "object"}),
            ttl_ms: None,
        })
        .build()
        .unwrap();
    let handle = probe
        .create_reference("RowSet", value.clone(), None)
        .unwrap();
    let id = handle["id"].as_str().unwrap().to_string();
    drop(probe);

    let server = FakeServer::start(vec![
        anthropic_turn(None, Some(("t1", "load_rows", json!({})))),
        anthropic_turn(
            None,
            Some(("t2", "glimpseRef", json!({"kind": "RowSet", "id": id}))),
        ),
        anthropic_turn(Some("There are 50000 rows."), None),
    ])
    .await;
    let anthropic =
        Anthropic::from_config(&json!({"apiKey": SECRET, "baseUrl": server.url})).unwrap();
    let mut analyst = AgentSpec::specialist("analyst", "claude-sonnet-4-6", "Count rows.");
    analyst.toolkits = vec!["references".into()];
    let rows = value.clone();
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .reference(ReferenceSpec {
            name: "RowSet".into(),
            schema: json!({"type": "object"}),
            ttl_ms: None,
        })
        .agent(analyst)
        .tool(
            "analyst",
            ToolDef::new("load_rows", json!({"type": "object"})),
            move |_args, ctx| {
                let rows = rows.clone();
                async move {
                    let glimpse = json!({"count": 50_000});
                    ctx.references()
                        .create("RowSet", rows, glimpse)
                        .map_err(|e| e.to_string())
                }
            },
        )
        .interpreter(InterpreterKind::Provider(ProviderHandle::new(Arc::new(
            anthropic,
        ))))
        .build()
        .unwrap();
    let events: Vec<StreamPart> = runtime
        .run_specialist("analyst", "How many rows?", Some("t"))
        .collect()
        .await;
    assert!(
        events.iter().all(|e| e.type_name() != "error"),
        "{events:?}"
    );
    let sent = server.received();
    assert_eq!(sent.len(), 3);
    for request in &sent {
        let body = request.body.to_string();
        assert!(
            body.len() < 20_000,
            "a model request of {} bytes",
            body.len()
        );
        assert!(!body.contains(MARKER), "the value reached the model");
    }
    // The model saw the handle and the glimpse.
    let last = sent[2].body.to_string();
    assert!(
        last.contains(&id) && last.contains(r#"\"count\":50000"#),
        "{last}"
    );
    for e in &events {
        assert!(!e.to_string().contains(MARKER));
    }
    assert_eq!(runtime.resolve_reference("RowSet", &id).unwrap(), value);
}
