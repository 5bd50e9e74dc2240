//! What a host tool call's durable start commits: its start marker and the run record
//! alone, or, for a tool whose calls wait on the host (as a Python handler's do),
//! everything the run had buffered before the call as well, so that the events the
//! consumer reads while the call waits need no commit of their own.

mod common;

use common::*;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Store};
use flowai::{
    AgentSpec, InterpreterKind, Runtime, RuntimeOptions, Tool, ToolBinding, ToolContext, ToolDef,
    ToolOutput,
};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Opens a fresh store.
type Open<'a> = dyn Fn() -> Arc<dyn Store> + 'a;

/// Records, when it is called, how many of its run's events the journal holds.
struct Probe {
    store: Arc<dyn Store>,
    waits: bool,
    journaled: Arc<Mutex<Option<usize>>>,
}

impl Tool for Probe {
    fn call(&self, _args: Value, ctx: ToolContext) -> BoxFuture<'static, ToolOutput> {
        let tenant = &ctx.resource_id;
        let runs = self.store.scan(tenant, "run:").unwrap();
        assert_eq!(
            runs.len(),
            1,
            "the run record is durable before the call starts"
        );
        let run = runs[0].0.strip_prefix("run:").unwrap();
        let events = self.store.events(tenant, run, 0).unwrap();
        *self.journaled.lock().unwrap() = Some(events.len());
        Box::pin(async { ToolOutput::ok(json!({"price": 9.99})) })
    }

    fn waits_on_host(&self) -> bool {
        self.waits
    }
}

fn runtime(store: Arc<dyn Store>, probe: Probe) -> Runtime {
    let mut builder = builder()
        .agent(AgentSpec::coordinator("c", MODEL, "", &["w"]))
        .agent(AgentSpec::specialist("w", MODEL, ""));
    let def = ToolDef {
        binding_id: "w/lookup".into(),
        ..ToolDef::new("lookup", json!({"type": "object"}))
    };
    let options = RuntimeOptions {
        interpreter: InterpreterKind::Scripted,
        tools: vec![ToolBinding {
            def,
            tool: Arc::new(probe),
        }],
        agent_tools: [("w".to_string(), vec!["w/lookup".to_string()])].into(),
        store: Some(store),
        ..RuntimeOptions::default()
    };
    Runtime::new(builder.spec_mut().clone(), options).unwrap()
}

/// How many events the journal held when the tool ran, and the run's whole journal.
async fn journaled_at_call(store: Arc<dyn Store>, waits: bool) -> (usize, Vec<Value>) {
    let journaled = Arc::new(Mutex::new(None));
    let probe = Probe {
        store: store.clone(),
        waits,
        journaled: journaled.clone(),
    };
    let rt = runtime(store, probe);
    let inner = json!({"tool": "lookup", "args": {"sku": "SKU-1"}}).to_string();
    let prompt = json!({"tool": "call_agent", "args": {"agent": "w", "prompt": inner}});
    let stream = rt.query(&prompt.to_string(), "t");
    let run = stream.run_id().unwrap().to_string();
    assert_eq!(stream.count().await, 14);
    let at_call = journaled.lock().unwrap().expect("the tool ran");
    (at_call, journal(&rt, &run))
}

#[tokio::test]
async fn a_call_that_waits_on_the_host_starts_with_everything_before_it_durable() {
    let files = std::sync::atomic::AtomicUsize::new(0);
    let sqlite = || {
        let n = files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("flowai-effect-start-{}-{n}.db", std::process::id());
        Arc::new(SqliteStore::open(std::env::temp_dir().join(name)).unwrap()) as Arc<dyn Store>
    };
    let stores: [(&str, &Open<'_>); 2] = [
        ("memory", &|| Arc::new(MemoryStore::default())),
        ("sqlite", &sqlite),
    ];
    for (name, open) in stores {
        let (at_call, events) = journaled_at_call(open(), true).await;
        // Everything up to the tool call's own event was committed with its start.
        let call = events
            .iter()
            .position(|e| e["toolName"] == "lookup" && e["state"] == "call")
            .expect("a tool call event");
        assert_eq!(at_call, call + 1, "{name}: {events:?}");

        let (at_call, events) = journaled_at_call(open(), false).await;
        assert_eq!(at_call, 0, "{name}: the start alone was committed");
        assert_eq!(events.len(), 14, "{name}");
    }
}
