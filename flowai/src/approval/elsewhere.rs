//! Decisions recorded by other processes sharing a durable store, delivered to the gates
//! of this process. Without this, a run waiting in process A stayed waiting after process
//! B decided its request, until someone resumed it.
//!
//! One task per [`ApprovalBook`](super::ApprovalBook) runs while any of its gates waits:
//! every [`EVERY`] it reads all the waiting requests in one
//! [`Store::get_many`](crate::store::Store::get_many) and hands each decision (or expiry)
//! it finds to its gate, as [`ApprovalBook::respond`](super::ApprovalBook::respond) does
//! for a decision made here. A request decided both here and there reaches its gate once:
//! whoever takes the gate's sender out of the map delivers.

use super::book::{decision_of, evidence, id_of, key, state_of, Waiters};
use crate::lifecycle::ApprovalGateState as State;
use crate::store::Store;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// How often the waiting requests are read.
pub(super) const EVERY: Duration = Duration::from_millis(250);

/// Starts the task on the current Tokio runtime; false when there is none (then only this
/// process's decisions wake its gates).
pub(super) fn start(store: &Arc<dyn Store>, tenant: &str, waiters: &Arc<Mutex<Waiters>>) -> bool {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    runtime.spawn(poll(
        store.clone(),
        tenant.to_string(),
        Arc::downgrade(waiters),
    ));
    true
}

/// Clears the book's `polling` flag if the task is dropped before it ended by itself (its
/// Tokio runtime shut down), so that the next waiting gate starts another.
struct Running {
    waiters: Weak<Mutex<Waiters>>,
    armed: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let (true, Some(waiters)) = (self.armed, self.waiters.upgrade()) {
            waiters.lock().unwrap_or_else(|e| e.into_inner()).polling = false;
        }
    }
}

/// Reads and delivers until no gate waits (or the book is gone).
async fn poll(store: Arc<dyn Store>, tenant: String, waiters: Weak<Mutex<Waiters>>) {
    let mut running = Running {
        waiters: waiters.clone(),
        armed: true,
    };
    loop {
        tokio::time::sleep(EVERY).await;
        let Some(waiters) = waiters.upgrade() else {
            return;
        };
        let ids: Vec<String> = {
            let mut w = waiters.lock().expect("approval waiters");
            if w.gates.is_empty() {
                // Cleared under the lock a new gate registers under, so it starts a task.
                w.polling = false;
                running.armed = false;
                return;
            }
            w.gates.keys().cloned().collect()
        };
        let keys: Vec<String> = ids.iter().map(|id| key(id)).collect();
        // A failed read is tried again at the next tick.
        let Ok(records) = store.get_many(&tenant, &keys) else {
            continue;
        };
        let mut w = waiters.lock().expect("approval waiters");
        for (k, record) in records {
            let Some(id) = id_of(&k) else {
                continue;
            };
            match state_of(&record.value) {
                State::Pending => {}
                State::Expired => {
                    // Dropping the sender ends the wait as a cancel would.
                    w.gates.remove(id);
                }
                _ => {
                    let Some(tx) = w.gates.remove(id) else {
                        continue;
                    };
                    if let Some(decision) = decision_of(&record.value) {
                        let granted = evidence(id, &decision);
                        let _ = tx.send((decision, granted));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ApprovalBook;
    use crate::store::sqlite::SqliteStore;
    use crate::store::Store;
    use std::sync::Arc;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_task_dropped_with_its_runtime_is_started_again_by_the_next_gate() {
        let path = std::env::temp_dir().join(format!(
            "flowai-elsewhere-{}-{}.db",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
        let book = ApprovalBook::new(store, "t");
        // No Tokio runtime: nothing to run the task on.
        let _a = book.wait("a");
        assert!(!book.polling());
        let first = runtime();
        first.block_on(async {
            let _b = book.wait("b");
            tokio::task::yield_now().await;
        });
        assert!(book.polling());
        drop(first);
        assert!(!book.polling(), "the dropped task cleared the flag");
        let second = runtime();
        second.block_on(async {
            let _c = book.wait("c");
        });
        assert!(book.polling());
    }
}
