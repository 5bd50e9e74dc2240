//! Durable storage costs through Rust: (1) one durable step commit (a step record and three
//! ~200-byte events, what a run commits before a tool runs) on SQLite and, when
//! `FLOWAI_TEST_PG_URL` is set, Postgres: p50 and p99 over 5,000 commits; (2) W1 with
//! each store against memory, measured in the same process (2,000 sequential runs after
//! 200 warm-ups). Run with `cargo bench -p flowai --bench durable`.

use flowai::store::postgres::PostgresStore;
use flowai::store::sqlite::SqliteStore;
use flowai::store::{MemoryStore, Op, Store};
use flowai::{AgentSpec, InterpreterKind, Runtime, StreamPart, TenantIdentity, ToolDef};
use futures::StreamExt;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Wraps a store and adds up the time its commits take (to split a durable run's cost
/// into the store's share and the engine's).
struct Timed {
    inner: Arc<dyn Store>,
    nanos: std::sync::atomic::AtomicU64,
    commits: std::sync::atomic::AtomicU64,
}

impl Timed {
    fn take(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.nanos.swap(0, Relaxed), self.commits.swap(0, Relaxed))
    }
}

impl Store for Timed {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn is_durable(&self) -> bool {
        self.inner.is_durable()
    }
    fn commit(&self, tenant: &str, ops: Vec<Op>) -> Result<(), flowai::store::StoreError> {
        use std::sync::atomic::Ordering::Relaxed;
        let t0 = Instant::now();
        let out = self.inner.commit(tenant, ops);
        self.nanos
            .fetch_add(t0.elapsed().as_nanos() as u64, Relaxed);
        self.commits.fetch_add(1, Relaxed);
        out
    }
    fn get(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<flowai::store::Record>, flowai::store::StoreError> {
        self.inner.get(tenant, key)
    }
    fn scan(
        &self,
        tenant: &str,
        prefix: &str,
    ) -> Result<Vec<(String, flowai::store::Record)>, flowai::store::StoreError> {
        self.inner.scan(tenant, prefix)
    }
    fn events(
        &self,
        tenant: &str,
        run: &str,
        after: u64,
    ) -> Result<Vec<(u64, Arc<serde_json::Value>)>, flowai::store::StoreError> {
        self.inner.events(tenant, run, after)
    }
}

/// (median, p99, mean)
fn percentiles(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    (
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100 - 1],
        samples.iter().sum::<f64>() / samples.len() as f64,
    )
}

fn step_commits(store: &dyn Store) -> (f64, f64, f64) {
    let event = Arc::new(StreamPart::Custom {
        event_type: "bench".into(),
        data: json!({"type": "tool-invocation", "state": "call",
        "toolInvocationId": "scripted-tool-1", "toolName": "search_products",
        "args": {"query": "What is the price of SKU-1? ".repeat(4)}}),
    });
    let mut samples = Vec::with_capacity(5000);
    for i in 0..5200u64 {
        let run = format!("bench-run-{}", i / 100);
        let base = (i % 100) * 3;
        let mut ops = vec![Op::put(
            format!("step:{run}:{:08}", i % 100),
            json!({"phase": "started"}),
        )];
        for k in 1..=3 {
            ops.push(Op::Event {
                run: run.clone(),
                seq: base + k,
                event: event.clone(),
            });
        }
        let t0 = Instant::now();
        store.commit("bench", ops).expect("commit");
        if i >= 200 {
            samples.push(t0.elapsed().as_nanos() as f64 / 1000.0);
        }
    }
    percentiles(samples)
}

/// W1 on `store`; `idempotent` declares the search tool idempotent (no durable start).
fn w1(store: Arc<dyn Store>, idempotent: bool) -> Runtime {
    let search = ToolDef::new("search_products", json!({"type": "object"}));
    let search = if idempotent {
        search.idempotent()
    } else {
        search
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
        .tool("product_insights", search, |_args, _ctx| async {
            Ok(json!({"sku": "SKU-1", "price": 9.99}))
        })
        .interpreter(InterpreterKind::Scripted)
        .store(store)
        .build()
        .expect("valid W1 runtime")
}

async fn w1_median(rt: &Runtime) -> (f64, f64, f64) {
    let inner =
        json!({"tool": "search_products", "args": {"query": "What is the price of SKU-1?"}});
    let prompt = json!({"tool": "call_agent", "args": {"agent": "product_insights", "prompt": inner.to_string()}}).to_string();
    for _ in 0..200 {
        assert_eq!(rt.query(&prompt, "warm").count().await, 14);
    }
    let mut samples = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t0 = Instant::now();
        rt.query(&prompt, "seq").count().await;
        samples.push(t0.elapsed().as_nanos() as f64 / 1000.0);
    }
    percentiles(samples)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("flowai-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // (name, store for the commit loop, store for W1)
    type Pair = (&'static str, Arc<dyn Store>, Arc<dyn Store>);
    let mut stores: Vec<Pair> = vec![(
        "sqlite",
        Arc::new(SqliteStore::open(dir.join("commits.db")).expect("sqlite")),
        Arc::new(SqliteStore::open(dir.join("w1.db")).expect("sqlite")),
    )];
    if let Ok(url) = std::env::var("FLOWAI_TEST_PG_URL") {
        let table = format!("bench_{}", std::process::id());
        let w1_table = format!("bench_w1_{}", std::process::id());
        stores.push((
            "postgres",
            Arc::new(PostgresStore::connect(&url, Some(&table)).expect("postgres")),
            Arc::new(PostgresStore::connect(&url, Some(&w1_table)).expect("postgres")),
        ));
    }
    let exec = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio");
    let (mem_p50, mem_p99, mem_mean) =
        exec.block_on(w1_median(&w1(Arc::new(MemoryStore::default()), false)));
    println!(
        "{{\"store\": \"memory\", \"w1_median_us\": {mem_p50:.2}, \"w1_p99_us\": {mem_p99:.2}, \"w1_mean_us\": {mem_mean:.2}}}"
    );
    for (name, commits, w1_store) in stores {
        let (p50, p99, _) = step_commits(&*commits);
        let timed = Arc::new(Timed {
            inner: w1_store,
            nanos: 0.into(),
            commits: 0.into(),
        });
        let (w50, w99, mean) = exec.block_on(w1_median(&w1(timed.clone(), false)));
        let (nanos, n) = timed.take();
        println!(
            "{{\"store\": \"{name}\", \"step_commit_p50_us\": {p50:.2}, \"step_commit_p99_us\": {p99:.2}, \"w1_median_us\": {w50:.2}, \"w1_p99_us\": {w99:.2}, \"w1_mean_us\": {mean:.2}, \"w1_x_memory\": {:.2}, \"w1_commits_per_run\": {:.2}, \"w1_commit_us_per_run\": {:.2}}}",
            w50 / mem_p50,
            n as f64 / 2200.0,
            nanos as f64 / 2200.0 / 1000.0
        );
    }
    // The same with the search tool declared idempotent: its call needs no durable start,
    // so a run commits once (at its end) instead of twice.
    let (mem50, _, _) = exec.block_on(w1_median(&w1(Arc::new(MemoryStore::default()), true)));
    let sqlite = Arc::new(SqliteStore::open(dir.join("w1-idempotent.db")).expect("sqlite"));
    let (w50, _, _) = exec.block_on(w1_median(&w1(sqlite, true)));
    println!(
        "{{\"variant\": \"search_products idempotent\", \"memory_w1_median_us\": {mem50:.2}, \"sqlite_w1_median_us\": {w50:.2}, \"w1_x_memory\": {:.2}}}",
        w50 / mem50
    );
    std::fs::remove_dir_all(&dir).ok();
}
