//! W1 of WORKLOADS.md through Rust: the coordinator routes "What is the price of SKU-1?" to
//! `product_insights`, whose Rust tool `search_products` answers; the scripted interpreter
//! decides. Prints median and p99 per run (2,000 sequential runs after 200 warm-ups) and
//! runs per second with 5,000 runs started at once. Run with `cargo bench -p flowai --bench w1`.

use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::json;
use std::time::Instant;

fn runtime() -> Runtime {
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
        .tool(
            "product_insights",
            ToolDef::new("search_products", json!({"type": "object"})),
            |_args, _ctx| async { Ok(json!({"sku": "SKU-1", "price": 9.99})) },
        )
        .interpreter(InterpreterKind::Scripted)
        .build()
        .expect("valid W1 runtime")
}

fn prompt() -> String {
    let inner =
        json!({"tool": "search_products", "args": {"query": "What is the price of SKU-1?"}});
    json!({"tool": "call_agent", "args": {"agent": "product_insights", "prompt": inner.to_string()}})
        .to_string()
}

async fn one_run(rt: &Runtime, prompt: &str, thread: &str) -> usize {
    rt.query(prompt, thread).count().await
}

fn main() {
    let rt = runtime();
    let prompt = prompt();
    let exec = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio");
    exec.block_on(async {
        for _ in 0..200 {
            assert_eq!(one_run(&rt, &prompt, "warm").await, 14);
        }
        let mut samples = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let t0 = Instant::now();
            one_run(&rt, &prompt, "seq").await;
            samples.push(t0.elapsed().as_nanos() as f64 / 1000.0);
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        let median = samples[samples.len() / 2];
        let p99 = samples[samples.len() * 99 / 100 - 1];
        let t0 = Instant::now();
        let threads: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
        let counts =
            futures::future::join_all(threads.iter().map(|t| one_run(&rt, &prompt, t))).await;
        let elapsed = t0.elapsed().as_secs_f64();
        assert!(counts.iter().all(|&c| c == 14));
        println!(
            "{{\"workload\": \"W1 through Rust\", \"sequential\": {{\"median_us\": {median:.2}, \"p99_us\": {p99:.2}, \"runs\": 2000}}, \"concurrent\": {{\"runs\": 5000, \"runs_per_s\": {:.0}}}}}",
            5000.0 / elapsed
        );
    });
}
