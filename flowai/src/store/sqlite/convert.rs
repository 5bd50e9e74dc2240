//! Conversions between SQLite and the store: errors, rows, JSON text, sequence numbers.

use crate::store::StoreError;
use rusqlite::ErrorCode;
use serde_json::Value;

/// A SQLite error as the store's: a file that is not a database (or is damaged) is
/// `Corrupt`, anything else `Unavailable`, both naming the store.
pub(super) fn map_err(describe: &str, e: rusqlite::Error) -> StoreError {
    let code = e.sqlite_error_code();
    if matches!(
        code,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    ) {
        StoreError::Corrupt {
            store: describe.to_string(),
            detail: e.to_string(),
        }
    } else {
        StoreError::Unavailable {
            store: describe.to_string(),
            detail: e.to_string(),
        }
    }
}

/// A `key, value, version, expires_at` row.
pub(super) fn row_of(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, i64, Option<i64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

pub(super) fn to_json(value: &Value) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Config(format!("a value cannot be serialized as JSON: {e}")))
}

/// A journal sequence number as SQLite's integer (out-of-range ones never match a row).
pub(super) fn seq_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}
