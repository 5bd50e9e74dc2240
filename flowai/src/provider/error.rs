//! [`ProviderError`]: everything a model call can fail with. Messages say what to fix, and
//! none ever contains an API key: auth errors name where the key came from, and text a
//! server sent back is scrubbed of the key before it is kept.

use serde_json::Value;

/// Why a model call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// No API key could be found; `hint` says where one was looked for.
    #[error("{provider}: no API key: {hint}")]
    MissingKey {
        /// Provider label.
        provider: String,
        /// Where the key was expected.
        hint: String,
    },
    /// The server refused the key (HTTP 401).
    #[error(
        "{provider} rejected the API key from {key_from} (HTTP {status}): set a valid key there"
    )]
    Auth {
        /// Provider label.
        provider: String,
        /// Where the key came from (`environment variable `X``, `providers["anthropic"].apiKey`).
        key_from: String,
        /// HTTP status.
        status: u16,
    },
    /// The server refused the request with a status that a retry will not fix.
    #[error("{provider} refused the request (HTTP {status}): {message}; {hint}")]
    Request {
        /// Provider label.
        provider: String,
        /// HTTP status.
        status: u16,
        /// The server's message (key scrubbed).
        message: String,
        /// What to fix.
        hint: &'static str,
    },
    /// Every attempt the retry budget allowed failed.
    #[error("{provider}: gave up after {attempts} attempt(s) (retry budget `maxRetries`/`retryBudgetMs`): {last}")]
    RetriesExhausted {
        /// Provider label.
        provider: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
        /// Whether the last attempt hit the per-request timeout.
        timed_out: bool,
    },
    /// No response, or no further bytes, within the per-request timeout.
    #[error("{provider}: no response within {after_ms} ms (per-request timeout `timeoutMs`)")]
    Timeout {
        /// Provider label.
        provider: String,
        /// The timeout.
        after_ms: u64,
    },
    /// The HTTP transport failed (connection refused, reset, cut mid-body).
    #[error("{provider}: {context}: {source}")]
    Transport {
        /// Provider label.
        provider: String,
        /// What was being done.
        context: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A stream event or response body could not be decoded; `raw` is what arrived.
    #[error("{provider}: malformed stream: {message}; raw: {}", shorten(raw))]
    Decode {
        /// Provider label.
        provider: String,
        /// What was wrong.
        message: String,
        /// The raw event data, line or body.
        raw: String,
    },
    /// The stream ended before the call was complete.
    #[error("{provider}: the stream ended before {expected} (connection cut mid-response)")]
    Truncated {
        /// Provider label.
        provider: String,
        /// What was still missing.
        expected: &'static str,
    },
    /// A tool call's reassembled arguments are not a JSON value.
    #[error(
        "{provider}: tool call `{name}` ({id}) has invalid JSON arguments: {message}; raw: {}",
        shorten(raw)
    )]
    ToolArguments {
        /// Provider label.
        provider: String,
        /// Tool-use id.
        id: String,
        /// Tool name.
        name: String,
        /// The JSON error.
        message: String,
        /// The reassembled argument text.
        raw: String,
    },
    /// The server reported an error inside the stream.
    #[error("{provider} reported an error mid-stream ({kind}): {message}")]
    Stream {
        /// Provider label.
        provider: String,
        /// The server's error type.
        kind: String,
        /// The server's message (key scrubbed).
        message: String,
    },
    /// The provider config is unusable.
    #[error("{provider}: invalid provider config: {message}")]
    Config {
        /// Provider label.
        provider: String,
        /// What is wrong.
        message: String,
    },
    /// The request was cancelled.
    #[error("Request cancelled")]
    Cancelled,
    /// A cassette could not be read or written, or does not match the run.
    #[error("cassette {path}: {message}")]
    Cassette {
        /// Cassette file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A failure recorded in a cassette, replayed verbatim.
    #[error("{0}")]
    Recorded(String),
}

impl ProviderError {
    /// Whether this failure was (or ended with) the per-request timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            ProviderError::Timeout { .. }
                | ProviderError::RetriesExhausted {
                    timed_out: true,
                    ..
                }
        )
    }
}

/// At most 2000 characters of `raw`, for messages (the error value keeps all of it).
fn shorten(raw: &str) -> String {
    const MAX: usize = 2000;
    match raw.char_indices().nth(MAX) {
        None => raw.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &raw[..cut], raw.len()),
    }
}

/// Replaces every occurrence of `key` in `text`.
pub(crate) fn redact(text: &str, key: Option<&str>) -> String {
    match key {
        Some(k) if k.len() >= 4 => text.replace(k, "[redacted]"),
        _ => text.to_string(),
    }
}

/// The message of an error body in either wire format, else the body itself.
pub(crate) fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(v) = parsed {
        let err = v.get("error").unwrap_or(&v);
        if let Some(message) = field(err, "message") {
            return match field(err, "type") {
                Some(kind) => format!("{kind}: {message}"),
                None => message,
            };
        }
    }
    let body = body.trim();
    if body.is_empty() {
        "(empty body)".into()
    } else {
        body.chars().take(2000).collect()
    }
}

/// What to fix for a refused request.
pub(crate) fn hint(status: u16) -> &'static str {
    match status {
        400 | 422 => "fix the request: check the model id, `maxTokens`, the tool schemas and the message format",
        403 => "the key is valid but may not use this model or endpoint: check the key's permissions",
        404 => "check the model id and the provider's `baseUrl`",
        413 => "the request is too large: shorten the conversation or the tool results",
        _ => "check the provider config (`baseUrl`, key) and the request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_both_formats() {
        let anthropic = r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too big"}}"#;
        assert_eq!(
            error_message(anthropic),
            "invalid_request_error: max_tokens: too big"
        );
        let openai = r#"{"error":{"message":"The model `x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#;
        assert!(error_message(openai).ends_with("does not exist"));
        assert_eq!(error_message("  upstream down \n"), "upstream down");
        assert_eq!(error_message(""), "(empty body)");
    }

    #[test]
    fn long_raw_text_is_shortened_in_messages_only() {
        let raw = "x".repeat(5000);
        let e = ProviderError::Decode {
            provider: "p".into(),
            message: "bad".into(),
            raw: raw.clone(),
        };
        assert!(e.to_string().len() < 2100);
        assert!(e.to_string().ends_with("(5000 bytes)"));
        let ProviderError::Decode { raw: kept, .. } = e else {
            unreachable!()
        };
        assert_eq!(kept, raw);
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("bad key sk-123456", Some("sk-123456")),
            "bad key [redacted]"
        );
        assert_eq!(redact("abc", None), "abc");
    }
}
