//! Retries with exponential backoff and jitter, bounded by a budget of attempts and time.
//!
//! A request is retried on HTTP 429, 408, 409, 5xx (Anthropic's 529 "overloaded" included),
//! on connection errors and on the per-request timeout; never once the response body has
//! started streaming, since its events have already reached the caller. A `retry-after`
//! (seconds) or `retry-after-ms` header replaces the computed delay.
//!
//! # Examples
//!
//! ```
//! use flowai::provider::RetryPolicy;
//! use std::time::Duration;
//!
//! let policy = RetryPolicy::from_config(&serde_json::json!({"maxRetries": 2, "timeoutMs": 500})).unwrap();
//! assert_eq!(policy.max_retries, 2);
//! assert_eq!(policy.request_timeout, Some(Duration::from_millis(500)));
//! let delay = policy.delay(1, None);
//! assert!(delay >= policy.base_delay && delay <= policy.base_delay * 2);
//! assert_eq!(policy.delay(1, Some(Duration::from_secs(3))), Duration::from_secs(3));
//! ```

use serde_json::Value;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How hard a provider tries before it reports a failure.
///
/// Provider config keys (all optional): `maxRetries` (default 3), `retryBudgetMs` (total
/// time across attempts and waits, default 120000), `retryBaseMs` (first backoff, default
/// 500), `retryMaxMs` (longest computed backoff, default 20000), `timeoutMs` (per attempt,
/// until the response headers arrive and then between two body chunks; default 120000,
/// `0` turns it off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Total time across attempts and waits; `None` is unbounded.
    pub budget: Option<Duration>,
    /// Backoff before the first retry (doubled for each further one).
    pub base_delay: Duration,
    /// Upper bound of a computed backoff (a `retry-after` header may ask for more).
    pub max_delay: Duration,
    /// Per-attempt timeout; `None` waits forever.
    pub request_timeout: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            budget: Some(Duration::from_secs(120)),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            request_timeout: Some(Duration::from_secs(120)),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries and never times out (tests, replays).
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            budget: None,
            request_timeout: None,
            ..Self::default()
        }
    }

    /// Reads the retry keys of a provider config object; absent keys keep their defaults.
    ///
    /// # Errors
    /// A message naming the key whose value is not a non-negative integer.
    pub fn from_config(config: &Value) -> Result<Self, String> {
        let mut policy = Self::default();
        let ms = |key: &str| -> Result<Option<u64>, String> {
            match config.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| format!("`{key}` must be a non-negative integer, got {v}")),
            }
        };
        if let Some(n) = ms("maxRetries")? {
            policy.max_retries = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = ms("retryBudgetMs")? {
            policy.budget = Some(Duration::from_millis(n));
        }
        if let Some(n) = ms("retryBaseMs")? {
            policy.base_delay = Duration::from_millis(n);
        }
        if let Some(n) = ms("retryMaxMs")? {
            policy.max_delay = Duration::from_millis(n);
        }
        if let Some(n) = ms("timeoutMs")? {
            policy.request_timeout = (n > 0).then(|| Duration::from_millis(n));
        }
        Ok(policy)
    }

    /// The wait before retry number `retry` (1-based): `retry_after` when the server sent
    /// one, else `base * 2^(retry-1)` capped at `max_delay`, scaled by a random factor in
    /// `[1, 2)` ("equal jitter", so concurrent clients spread out but never retry early).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait;
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let capped = exp.min(self.max_delay);
        capped.mul_f64(1.0 + jitter())
    }

    /// Whether retry number `retry` may start after `elapsed` plus a wait of `delay`.
    pub fn allows(&self, retry: u32, elapsed: Duration, delay: Duration) -> bool {
        retry <= self.max_retries && self.budget.is_none_or(|b| elapsed + delay <= b)
    }
}

/// A uniform sample in `[0, 1)`. Randomly keyed hashers are the standard library's only
/// randomness; backoff jitter needs nothing stronger.
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `retry-after-ms` (milliseconds) or `retry-after` (seconds; an HTTP date is
/// ignored and the computed backoff applies).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return (ms.is_finite() && ms >= 0.0).then(|| Duration::from_secs_f64(ms / 1000.0));
    }
    let secs = get("retry-after")?.trim().parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Whether an HTTP status is worth another attempt.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for (retry, base) in [(1, 100), (2, 200), (3, 350), (9, 350)] {
            let d = p.delay(retry, None).as_millis();
            assert!((base..base * 2).contains(&d), "retry {retry}: {d}");
        }
    }

    #[test]
    fn budget_bounds_attempts_and_time() {
        let p = RetryPolicy {
            max_retries: 2,
            budget: Some(Duration::from_secs(1)),
            ..RetryPolicy::default()
        };
        let ms = Duration::from_millis;
        assert!(p.allows(2, ms(0), ms(10)));
        assert!(!p.allows(3, ms(0), ms(10)));
        assert!(!p.allows(1, ms(900), ms(200)));
    }

    #[test]
    fn retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn config_errors_name_the_key() {
        let err = RetryPolicy::from_config(&serde_json::json!({"maxRetries": "3"})).unwrap_err();
        assert!(err.contains("`maxRetries`"), "{err}");
        let off = RetryPolicy::from_config(&serde_json::json!({"timeoutMs": 0})).unwrap();
        assert_eq!(off.request_timeout, None);
    }
}
