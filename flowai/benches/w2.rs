//! W2 of WORKLOADS.md through Rust: W1 with `search_products` gated (`always`). Each run
//! pauses at `approval-required`, the benchmark approves, the run finishes. Prints per-run
//! median/p99 (2,000 sequential runs after 200 warm-ups) and the memory held by 10,000 runs
//! paused at once. Run with `cargo bench -p flowai --bench w2`.

use flowai::approval::Decision;
use flowai::spec::ApprovalRule;
use flowai::{AgentSpec, InterpreterKind, RunStream, Runtime, StreamPart, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::json;
use std::time::Instant;

fn runtime() -> Runtime {
    let def = ToolDef {
        approval: ApprovalRule::Always,
        ..ToolDef::new("search_products", json!({"type": "object"}))
    };
    Runtime::builder(TenantIdentity::new("bench", "v1"))
        .agent(AgentSpec::coordinator(
            "coordinator",
            "claude-sonnet-4-6",
            "Route.",
            &["product_insights"],
        ))
        .agent(AgentSpec::specialist(
            "product_insights",
            "claude-sonnet-4-6",
            "Answer.",
        ))
        .tool("product_insights", def, |_args, _ctx| async {
            Ok(json!({"sku": "SKU-1", "price": 9.99}))
        })
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("valid W2 runtime")
}

fn prompt() -> String {
    let inner =
        json!({"tool": "search_products", "args": {"query": "What is the price of SKU-1?"}});
    json!({"tool": "call_agent", "args": {"agent": "product_insights", "prompt": inner.to_string()}}).to_string()
}

/// Reads until the approval request and returns its id.
async fn until_approval(stream: &mut RunStream) -> String {
    while let Some(part) = stream.next().await {
        if let StreamPart::Data {
            kind: "approval-required",
            data,
        } = part
        {
            return data["id"].as_str().expect("approval id").to_string();
        }
    }
    panic!("no approval-required event");
}

async fn one_run(rt: &Runtime, prompt: &str, thread: &str) -> usize {
    let mut stream = rt.query(prompt, thread);
    let id = until_approval(&mut stream).await;
    rt.respond_to_approval(
        &id,
        Decision::parse("approve", None, None).expect("outcome"),
    )
    .expect("pending");
    stream.count().await
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<u64>().ok())
        .expect("rss pages")
        * 4
}

fn main() {
    let prompt = prompt();
    let exec = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio");
    exec.block_on(async {
        let rt = runtime();
        for _ in 0..200 {
            one_run(&rt, &prompt, "warm").await;
        }
        let mut samples = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let t0 = Instant::now();
            one_run(&rt, &prompt, "seq").await;
            samples.push(t0.elapsed().as_nanos() as f64 / 1000.0);
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        let (median, p99) = (samples[samples.len() / 2], samples[samples.len() * 99 / 100 - 1]);

        let rt = runtime();
        let before = rss_kib();
        let mut paused = Vec::with_capacity(10_000);
        for i in 0..10_000 {
            let mut stream = rt.query(&prompt, &format!("p{i}"));
            let id = until_approval(&mut stream).await;
            paused.push((stream, id));
        }
        let held = rss_kib().saturating_sub(before) as f64 / 10_000.0;
        for (stream, id) in paused {
            rt.respond_to_approval(&id, Decision::parse("approve", None, None).expect("outcome")).expect("pending");
            stream.count().await;
        }
        println!(
            "{{\"workload\": \"W2 through Rust\", \"sequential\": {{\"median_us\": {median:.2}, \"p99_us\": {p99:.2}, \"runs\": 2000}}, \"memory\": {{\"paused\": 10000, \"kib_per_paused_run\": {held:.2}}}, \"size_of_stream_part\": {}}}",
            std::mem::size_of::<StreamPart>()
        );
    });
}
