//! Recorded steps: what makes a run replayable. Every value a run's control flow depends on
//! that could differ on a second execution (a model's answer, a predicate's verdict, an
//! approval id, a store read, a tool's result) goes through [`Run::memo`] or
//! [`Run::effect`], so a resumed run takes exactly the path it took before.

use super::{recorded, Span};
use crate::agent::Run;
use crate::store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;

/// How an effect step went.
pub(crate) enum Effect<T> {
    /// It ran now, or it had finished before (replay).
    Done(T),
    /// It had started and not finished when the run's process stopped: it may or may not
    /// have happened. The step number completes it once someone decided.
    InDoubt(u64),
    /// Its start could not be made durable; it did not run.
    Failed(StoreError),
}

// These return an `async move` block rather than being `async fn`s: an `async fn` keeps a
// second copy of its arguments (here the wrapped future) for its whole life, and a step's
// future is nested in its turn's, a paused one included. Nothing runs until it is polled.
impl Run {
    /// Runs `f`, or returns what it returned before when the run replays.
    pub(crate) fn memo<T, Fut>(&self, f: Fut) -> impl Future<Output = T> + use<'_, T, Fut>
    where
        T: Serialize + DeserializeOwned,
        Fut: Future<Output = T>,
    {
        self.memo_if(f, |_: &T| true)
    }

    /// As [`Run::memo`], but an outcome `keep` turns down is not recorded: a replay runs `f`
    /// again (its step number is the same, so the steps after it keep theirs).
    #[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
    pub(crate) fn memo_if<T, Fut, K>(
        &self,
        f: Fut,
        keep: K,
    ) -> impl Future<Output = T> + use<'_, T, Fut, K>
    where
        T: Serialize + DeserializeOwned,
        Fut: Future<Output = T>,
        K: FnOnce(&T) -> bool,
    {
        async move {
            let (n, before) = self.log.step();
            if let Some(r) = before {
                if let Ok(value) = T::deserialize(&r["v"]) {
                    self.log.skip(&r);
                    return value;
                }
            }
            let start = self.log.mark();
            let value = f.await;
            if keep(&value) {
                let record = recorded(&json!(value), self.log.since(start));
                self.log.push(self.log.step_op(n, record));
            }
            value
        }
    }

    /// An effect (a host tool's call): its start is made durable before `f` runs, so a
    /// crash in between surfaces as [`Effect::InDoubt`] on resume instead of a silent
    /// second run. With `flush`, everything the run buffered is committed with the start
    /// (see [`Tool::waits_on_host`](crate::tool::Tool::waits_on_host)).
    #[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
    pub(crate) fn effect<T, F, Fut>(
        &self,
        flush: bool,
        f: F,
    ) -> impl Future<Output = Effect<T>> + use<'_, T, F, Fut>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        async move {
            let (n, before) = self.log.step();
            match before {
                Some(r) if r["phase"] == "done" => {
                    if let Ok(value) = T::deserialize(&r["v"]) {
                        self.log.skip(&r);
                        return Effect::Done(value);
                    }
                    return Effect::InDoubt(n);
                }
                Some(_) => return Effect::InDoubt(n),
                None => {}
            }
            if let Err(e) = self.log.commit_ahead(vec![self.log.start_op(n)], flush) {
                return Effect::Failed(e);
            }
            let start = self.log.mark();
            let value = f().await;
            self.complete(n, &value, self.log.since(start));
            Effect::Done(value)
        }
    }

    /// Records the outcome of effect step `n` (buffered: committed with the run's next
    /// durable write). `span` covers everything a replay passes over with it: for an
    /// in-doubt effect, the in-doubt event and the gate that settled it.
    pub(crate) fn complete<T: Serialize>(&self, n: u64, value: &T, span: Span) {
        let mut record = recorded(&json!(value), span);
        record["phase"] = Value::String("done".into());
        self.log.push(self.log.step_op(n, record));
    }
}
