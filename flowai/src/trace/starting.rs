//! The runs a runtime started whose record is not durable yet.
//!
//! A run's record is written with its first commit, which comes once its consumer polls it.
//! Until then the store knows nothing of it, and a follower attached right after the run
//! was started would be told "run not found". The runtime keeps those runs' ids here, so a
//! follower waits for the record instead.

use std::collections::HashSet;
use std::sync::Mutex;

/// The ids of the runs started in this runtime whose record is not durable yet.
#[derive(Debug, Default)]
pub(crate) struct Starting(Mutex<HashSet<String>>);

impl Starting {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add(&self, run: &str) {
        self.set().insert(run.to_string());
    }

    /// The run's record is durable, or the run is gone without one.
    pub(crate) fn remove(&self, run: &str) {
        self.set().remove(run);
    }

    /// Whether run `run` was started here and has no durable record yet.
    pub(crate) fn contains(&self, run: &str) -> bool {
        self.set().contains(run)
    }
}
