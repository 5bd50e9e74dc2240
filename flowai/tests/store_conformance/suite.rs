//! The backend-independent conformance suite: the memory backend's semantics, which the
//! durable backends must reproduce exactly.

use flowai::store::{now_ms, Op, Record, Store, StoreError};
use flowai::StreamPart;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

fn put_exp(key: &str, value: Value, expires_at_ms: Option<i64>) -> Op {
    Op::Put {
        key: key.into(),
        value: Arc::new(value),
        expires_at_ms,
    }
}

fn replace(key: &str, version: i64, value: Value) -> Op {
    Op::Replace {
        key: key.into(),
        version,
        value: Arc::new(value),
    }
}

fn event(run: &str, seq: u64, value: Value) -> Op {
    Op::Event {
        run: run.into(),
        seq,
        event: Arc::new(StreamPart::Custom {
            event_type: "test".into(),
            data: value,
        }),
    }
}

fn conflict(key: &str) -> Result<(), StoreError> {
    Err(StoreError::Conflict { key: key.into() })
}

fn get(store: &dyn Store, tenant: &str, key: &str) -> Option<Record> {
    store.get(tenant, key).unwrap()
}

fn seqs(store: &dyn Store, tenant: &str, run: &str, after: u64) -> Vec<u64> {
    let events = store.events(tenant, run, after).unwrap();
    events.into_iter().map(|(seq, _)| seq).collect()
}

/// Runs every single-threaded case on `store`, in tenants unique to this call.
pub fn conformance(store: &dyn Store) {
    let t = &format!("t-{}", uuid::Uuid::new_v4());
    put_get_and_versions(store, t);
    insert(store, t);
    replace_cas(store, t);
    atomicity(store, t);
    journal(store, t);
    scan(store, t);
    expiry(store, t);
    get_many(store, t);
    batch_checks_see_the_state_before_the_batch(store, t);
    large_value(store, t);
}

fn put_get_and_versions(store: &dyn Store, t: &str) {
    assert_eq!(get(store, t, "pg:k"), None);
    store
        .commit(t, vec![Op::put("pg:k", json!({"n": 1}))])
        .unwrap();
    store
        .commit(t, vec![Op::put("pg:k", json!({"n": 2}))])
        .unwrap();
    let r = get(store, t, "pg:k").unwrap();
    assert_eq!(
        (r.version, &*r.value, r.expires_at_ms),
        (2, &json!({"n": 2}), None)
    );
    // Two puts of one key in one batch bump twice, and an empty batch is a no-op.
    let both = vec![Op::put("pg:k", json!(3)), Op::put("pg:k", json!(4))];
    store.commit(t, both).unwrap();
    store.commit(t, vec![]).unwrap();
    let r = get(store, t, "pg:k").unwrap();
    assert_eq!((r.version, &*r.value), (4, &json!(4)));
    // Values of every JSON shape come back equal.
    let odd =
        json!({"s": "nul\u{0}é\"\\", "f": 1.5, "neg": -7, "a": [null, true, {}], "big": u64::MAX});
    store
        .commit(t, vec![Op::put("pg:odd", odd.clone())])
        .unwrap();
    assert_eq!(*get(store, t, "pg:odd").unwrap().value, odd);
}

fn insert(store: &dyn Store, t: &str) {
    store
        .commit(t, vec![Op::insert("in:k", json!("first"))])
        .unwrap();
    assert_eq!(
        store.commit(t, vec![Op::insert("in:k", json!("second"))]),
        conflict("in:k")
    );
    let r = get(store, t, "in:k").unwrap();
    assert_eq!((r.version, &*r.value), (1, &json!("first")));
    // An expired record counts as absent: the insert replaces it, version 1, no expiry.
    let past = Some(now_ms() - 60_000);
    store
        .commit(t, vec![put_exp("in:exp", json!("old"), past)])
        .unwrap();
    store
        .commit(t, vec![put_exp("in:exp", json!("old2"), past)])
        .unwrap();
    assert_eq!(get(store, t, "in:exp"), None);
    store
        .commit(t, vec![Op::insert("in:exp", json!("new"))])
        .unwrap();
    let r = get(store, t, "in:exp").unwrap();
    assert_eq!(
        (r.version, &*r.value, r.expires_at_ms),
        (1, &json!("new"), None)
    );
}

fn replace_cas(store: &dyn Store, t: &str) {
    store
        .commit(t, vec![Op::insert("cas:k", json!(0))])
        .unwrap();
    store
        .commit(t, vec![replace("cas:k", 1, json!(1))])
        .unwrap();
    let r = get(store, t, "cas:k").unwrap();
    assert_eq!((r.version, &*r.value), (2, &json!(1)));
    assert_eq!(
        store.commit(t, vec![replace("cas:k", 1, json!("stale"))]),
        conflict("cas:k")
    );
    assert_eq!(
        store.commit(t, vec![replace("cas:k", 3, json!("ahead"))]),
        conflict("cas:k")
    );
    assert_eq!(
        store.commit(t, vec![replace("cas:none", 0, json!(1))]),
        conflict("cas:none")
    );
    assert_eq!(*get(store, t, "cas:k").unwrap().value, json!(1));
    // An expired record cannot be replaced, even with its version.
    store
        .commit(t, vec![put_exp("cas:exp", json!(1), Some(now_ms() - 1000))])
        .unwrap();
    assert_eq!(
        store.commit(t, vec![replace("cas:exp", 1, json!(2))]),
        conflict("cas:exp")
    );
    // A put over an expired record continues its version count.
    store.commit(t, vec![Op::put("cas:exp", json!(3))]).unwrap();
    assert_eq!(get(store, t, "cas:exp").unwrap().version, 2);
}

fn atomicity(store: &dyn Store, t: &str) {
    store
        .commit(t, vec![Op::insert("at:taken", json!(1))])
        .unwrap();
    let batch = vec![
        Op::put("at:a", json!("a")),
        event("at-run", 1, json!({"e": 1})),
        Op::insert("at:taken", json!(2)),
        Op::put("at:b", json!("b")),
    ];
    assert_eq!(store.commit(t, batch), conflict("at:taken"));
    assert_eq!(get(store, t, "at:a"), None);
    assert_eq!(get(store, t, "at:b"), None);
    assert!(seqs(store, t, "at-run", 0).is_empty());
    assert_eq!(*get(store, t, "at:taken").unwrap().value, json!(1));
    // The same with the journal as the third op failing, and with a stale replace.
    let batch = vec![
        Op::put("at:a", json!("a")),
        event("at-run", 1, json!(1)),
        event("at-run", 3, json!(3)),
    ];
    assert_eq!(store.commit(t, batch), conflict("run:at-run#3"));
    let batch = vec![
        event("at-run", 1, json!(1)),
        replace("at:taken", 1, json!(9)),
        replace("at:taken", 7, json!(9)),
    ];
    assert_eq!(store.commit(t, batch), conflict("at:taken"));
    assert_eq!(get(store, t, "at:a"), None);
    assert!(seqs(store, t, "at-run", 0).is_empty());
    assert_eq!(get(store, t, "at:taken").unwrap().version, 1);
}

fn journal(store: &dyn Store, t: &str) {
    let batch = vec![
        event("r1", 1, json!({"n": 1})),
        event("r1", 2, json!({"n": 2})),
    ];
    store.commit(t, batch).unwrap();
    assert_eq!(
        store.commit(t, vec![event("r1", 2, json!("dup"))]),
        conflict("run:r1#2")
    );
    assert_eq!(
        store.commit(t, vec![event("r1", 5, json!("gap"))]),
        conflict("run:r1#5")
    );
    assert_eq!(
        store.commit(t, vec![event("r1", 0, json!("zero"))]),
        conflict("run:r1#0")
    );
    store
        .commit(t, vec![event("r1", 3, json!({"n": 3}))])
        .unwrap();
    let all = store.events(t, "r1", 0).unwrap();
    let values: Vec<Value> = all.iter().map(|(_, e)| e["data"].clone()).collect();
    assert_eq!(
        values,
        vec![json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]
    );
    assert_eq!(seqs(store, t, "r1", 0), vec![1, 2, 3]);
    assert_eq!(seqs(store, t, "r1", 1), vec![2, 3]);
    assert!(seqs(store, t, "r1", 3).is_empty());
    assert!(seqs(store, t, "r1", u64::MAX).is_empty());
    assert!(seqs(store, t, "r2", 0).is_empty());
    // Journals are per run and per tenant; one batch may append to several runs.
    let other = &format!("{t}-other");
    assert!(seqs(store, other, "r1", 0).is_empty());
    let batch = vec![
        event("r1", 1, json!("o")),
        event("r2", 1, json!("o")),
        event("r1", 2, json!("o")),
    ];
    store.commit(other, batch).unwrap();
    assert_eq!(seqs(store, other, "r1", 0), vec![1, 2]);
    assert_eq!(seqs(store, t, "r1", 0), vec![1, 2, 3]);
}

fn scan(store: &dyn Store, t: &str) {
    let other = &format!("{t}-x");
    let keys = [
        "s:2",
        "s:10",
        "s:1",
        "s",
        "s;",
        "r:1",
        "s:é",
        "s:Z",
        "s:z",
        "s:\u{10FFFF}",
    ];
    let batch = keys.iter().map(|k| Op::put(*k, json!(k))).collect();
    store.commit(t, batch).unwrap();
    store.commit(other, vec![Op::put("s:3", json!(3))]).unwrap();
    let found: Vec<String> = store
        .scan(t, "s:")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    // Byte (code point) order, only this tenant, only the prefix.
    let want = ["s:1", "s:10", "s:2", "s:Z", "s:z", "s:é", "s:\u{10FFFF}"];
    assert_eq!(found, want);
    let (k, r) = &store.scan(t, "s:1").unwrap()[1];
    assert_eq!(
        (k.as_str(), &*r.value, r.version),
        ("s:10", &json!("s:10"), 1)
    );
    let everything: Vec<String> = store
        .scan(t, "")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(everything.windows(2).all(|w| w[0] < w[1]));
    assert!(everything.iter().any(|k| k == "r:1") && !everything.iter().any(|k| k == "s:3"));
    assert_eq!(store.scan(other, "s:").unwrap().len(), 1);
    assert!(store.scan(t, "nothing-here").unwrap().is_empty());
}

fn expiry(store: &dyn Store, t: &str) {
    let later = now_ms() + 3_600_000;
    let batch = vec![
        put_exp("ex:live", json!(1), Some(later)),
        put_exp("ex:dead", json!(2), Some(now_ms() - 1)),
    ];
    store.commit(t, batch).unwrap();
    assert_eq!(get(store, t, "ex:live").unwrap().expires_at_ms, Some(later));
    assert_eq!(get(store, t, "ex:dead"), None);
    let found: Vec<String> = store
        .scan(t, "ex:")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(found, ["ex:live"]);
    // An insert over a live record with an expiry still conflicts.
    assert_eq!(
        store.commit(t, vec![Op::insert("ex:live", json!(0))]),
        conflict("ex:live")
    );
}

/// One read of many keys returns the live records among them, with their versions, and
/// nothing of another tenant's.
fn get_many(store: &dyn Store, t: &str) {
    let batch = vec![
        Op::put("many:a", json!("a")),
        Op::put("many:b", json!({"b": [1, 2]})),
        Op::put("many:b", json!({"b": [3]})),
        put_exp("many:dead", json!(0), Some(now_ms() - 1)),
    ];
    store.commit(t, batch).unwrap();
    store
        .commit(&format!("{t}-other"), vec![Op::put("many:c", json!("c"))])
        .unwrap();
    let keys: Vec<String> = ["many:a", "many:b", "many:c", "many:dead", "many:none"]
        .map(String::from)
        .to_vec();
    let mut found: Vec<(String, i64, Value)> = store
        .get_many(t, &keys)
        .unwrap()
        .into_iter()
        .map(|(k, r)| (k, r.version, (*r.value).clone()))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        [
            ("many:a".to_string(), 1, json!("a")),
            ("many:b".to_string(), 2, json!({"b": [3]})),
        ]
    );
    assert!(store.get_many(t, &[]).unwrap().is_empty());
}

/// Conditions are checked against the state before the batch, then ops apply in order.
fn batch_checks_see_the_state_before_the_batch(store: &dyn Store, t: &str) {
    store.commit(t, vec![Op::put("bs:k", json!("v1"))]).unwrap();
    let batch = vec![
        Op::put("bs:k", json!("v2")),
        replace("bs:k", 1, json!("v3")),
    ];
    store.commit(t, batch).unwrap();
    let r = get(store, t, "bs:k").unwrap();
    assert_eq!((r.version, &*r.value), (2, &json!("v3")));
    let batch = vec![Op::insert("bs:n", json!(1)), Op::put("bs:n", json!(2))];
    store.commit(t, batch).unwrap();
    let r = get(store, t, "bs:n").unwrap();
    assert_eq!((r.version, &*r.value), (2, &json!(2)));
}

fn large_value(store: &dyn Store, t: &str) {
    let big: String = (0..5 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    store
        .commit(t, vec![Op::put("big", json!({"blob": big}))])
        .unwrap();
    let r = get(store, t, "big").unwrap();
    assert_eq!(
        r.value["blob"].as_str().map(str::len),
        Some(5 * 1024 * 1024)
    );
    assert_eq!(r.value["blob"].as_str(), Some(big.as_str()));
}

/// Concurrency cases; thread `i` uses `stores[i % stores.len()]` (one handle per
/// connection or process where the backend has them).
pub fn concurrency(stores: &[Arc<dyn Store>]) {
    let t = &format!("c-{}", uuid::Uuid::new_v4());
    let pick = |i: usize| stores[i % stores.len()].clone();
    // 8 compare-and-sets on one version: exactly one wins.
    pick(0)
        .commit(t, vec![Op::insert("cas", json!(-1))])
        .unwrap();
    let results: Vec<Result<(), StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = pick(i);
                s.spawn(move || store.commit(t, vec![replace("cas", 1, json!(i))]))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<usize> = (0..8).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert_eq!(r, &conflict("cas"));
    }
    let r = get(&*pick(1), t, "cas").unwrap();
    assert_eq!((r.version, &*r.value), (2, &json!(winners[0])));

    // Two appenders on one run journal: no gap, no duplicate, nothing lost.
    const PER_THREAD: usize = 25;
    std::thread::scope(|s| {
        for writer in 0..2 {
            let store = pick(writer);
            s.spawn(move || {
                let mut written = 0;
                while written < PER_THREAD {
                    let next = store.events(t, "shared", 0).unwrap().len() as u64 + 1;
                    let op = event("shared", next, json!({"writer": writer, "i": written}));
                    match store.commit(t, vec![op]) {
                        Ok(()) => written += 1,
                        Err(StoreError::Conflict { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            });
        }
    });
    let events = pick(0).events(t, "shared", 0).unwrap();
    let seq: Vec<u64> = events.iter().map(|(s, _)| *s).collect();
    assert_eq!(seq, (1..=2 * PER_THREAD as u64).collect::<Vec<_>>());
    let distinct: BTreeSet<String> = events.iter().map(|(_, e)| e.to_string()).collect();
    assert_eq!(distinct.len(), 2 * PER_THREAD);
}
