//! Reference throughput (issue 4): `create_reference` and `resolve_reference` in MB/s for
//! 1 KB, 1 MB and 50 MB values (size of the compact JSON), through the Rust API.
//! Run with `cargo bench -p flowai --bench references`.

use flowai::spec::ReferenceSpec;
use flowai::{AgentSpec, Runtime, TenantIdentity};
use serde_json::{json, Value};
use std::time::Instant;

/// An object `{"rows": [{"id": i, "name": "..."}...]}` of about `bytes` bytes of JSON.
fn value_of(bytes: usize) -> Value {
    let row = |i: usize| json!({"id": i, "name": format!("product-{i:08}"), "price": 9.99});
    let per_row = row(0).to_string().len() + 1;
    json!({"rows": (0..bytes.div_ceil(per_row)).map(row).collect::<Vec<_>>()})
}

fn main() {
    let rt = Runtime::builder(TenantIdentity::new("bench", "v1"))
        .agent(AgentSpec::specialist("w", "claude-sonnet-4-6", ""))
        .reference(ReferenceSpec {
            name: "Rows".into(),
            schema: json!({"type": "object"}),
            ttl_ms: None,
        })
        .build()
        .expect("valid runtime");
    let mut out = Vec::new();
    for (label, bytes, rounds) in [
        ("1KB", 1_000, 2_000),
        ("1MB", 1_000_000, 20),
        ("50MB", 50_000_000, 3),
    ] {
        let value = value_of(bytes);
        let size = value.to_string().len() as f64 / 1e6;
        let mut create = Vec::new();
        let mut resolve = Vec::new();
        for _ in 0..rounds {
            let v = value.clone();
            let t0 = Instant::now();
            let handle = rt.create_reference("Rows", v, None).expect("valid value");
            create.push(t0.elapsed().as_secs_f64());
            let id = handle["id"].as_str().expect("id").to_string();
            let t0 = Instant::now();
            let back = rt.resolve_reference("Rows", &id).expect("stored");
            resolve.push(t0.elapsed().as_secs_f64());
            assert_eq!(
                back["rows"].as_array().map(Vec::len),
                value["rows"].as_array().map(Vec::len)
            );
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        let (c, r) = (median(&mut create), median(&mut resolve));
        out.push(format!(
            "\"{label}\": {{\"bytes\": {:.0}, \"create_mb_per_s\": {:.1}, \"resolve_mb_per_s\": {:.1}}}",
            size * 1e6,
            size / c,
            size / r
        ));
    }
    println!("{{\"benchmark\": \"references\", {}}}", out.join(", "));
}
