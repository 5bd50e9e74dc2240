//! Run records: one `run:<id>` entry per run, what `list_runs` shows.

use crate::store::{Op, Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not finished (or its process died: resume it).
    Running,
    /// Waiting for an approval decision.
    Paused,
    /// Finished; the last event was its entry agent's closing frame.
    Completed,
    /// Finished with an `error` event.
    Failed,
    /// Cancelled by its consumer.
    Cancelled,
}

impl RunStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        serde_json::from_value(Value::String(name.into())).ok()
    }

    /// Whether the run can still be resumed.
    pub fn is_open(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::Paused)
    }
}

/// One run as `list_runs` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// The run id (a UUID).
    pub run_id: String,
    /// The thread.
    pub thread_id: String,
    /// The entry agent's name.
    pub agent: String,
    /// `query` (the coordinator) or `specialist`.
    pub entry: String,
    /// The prompt.
    pub prompt: String,
    /// Where it stands.
    pub status: RunStatus,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 time of the last status change.
    pub updated_at: String,
}

impl RunInfo {
    pub(crate) fn op(&self) -> Op {
        Op::put(super::run_key(&self.run_id), self.to_value())
    }

    /// The record with a new status, stamped now.
    pub(crate) fn with_status(&self, status: RunStatus) -> Self {
        Self {
            status,
            updated_at: crate::plan::now(),
            ..self.clone()
        }
    }

    /// The wire dict.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("run info is JSON")
    }
}

/// Which runs `list_runs` returns.
#[derive(Clone, Debug, Default)]
pub struct RunFilter {
    /// Only runs of this thread.
    pub thread_id: Option<String>,
    /// Only runs in this status.
    pub status: Option<RunStatus>,
}

/// The run record of `run`.
pub(crate) fn get(
    store: &dyn Store,
    tenant: &str,
    run: &str,
) -> Result<Option<RunInfo>, StoreError> {
    let Some(record) = store.get(tenant, &super::run_key(run))? else {
        return Ok(None);
    };
    Ok(serde_json::from_value((*record.value).clone()).ok())
}

/// Every run record matching `filter`, oldest first.
pub(crate) fn list(
    store: &dyn Store,
    tenant: &str,
    filter: &RunFilter,
) -> Result<Vec<RunInfo>, StoreError> {
    let mut runs: Vec<RunInfo> = store
        .scan(tenant, "run:")?
        .into_iter()
        .filter_map(|(_, r)| serde_json::from_value::<RunInfo>((*r.value).clone()).ok())
        .filter(|r| {
            filter.thread_id.as_ref().is_none_or(|t| *t == r.thread_id)
                && filter.status.is_none_or(|s| s == r.status)
        })
        .collect();
    runs.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(runs)
}
