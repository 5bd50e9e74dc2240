//! The Anthropic Messages API (`POST {baseUrl}/v1/messages`, `stream: true`).
//!
//! The system prompt is sent as one text block with `cache_control: {"type": "ephemeral"}`,
//! so the tools and the system prompt form a cached prefix across the steps of a tool loop.
//! `tool_use` input arrives as `input_json_delta` fragments and is parsed when its block
//! stops; `thinking` becomes reasoning; usage counts cache reads and writes.
//!
//! Config `providers["anthropic"]`: `apiKey` or `apiKeyEnv`; optional `baseUrl` (default
//! `https://api.anthropic.com`), `maxTokens` (default 4096), `thinkingBudgetTokens`
//! (enables extended thinking), `anthropicVersion` (default `2023-06-01`) and the retry keys
//! of [`RetryPolicy`](super::RetryPolicy).

mod decode;
mod request;

use super::config::Common;
use super::transport::{self, failed, http_client, secret_header, HttpCall};
use super::{ModelRequest, Provider, ProviderError, ProviderEvent};
use futures::stream::BoxStream;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The provider key and message label.
pub const KEY: &str = "anthropic";
const DEFAULT_BASE: &str = "https://api.anthropic.com";
const DEFAULT_MAX_TOKENS: u32 = 4096;

/// A client of the Anthropic Messages API.
#[derive(Clone, Debug)]
pub struct Anthropic {
    common: Arc<Common>,
    client: reqwest::Client,
    thinking_budget: Option<u32>,
    version: String,
}

impl Anthropic {
    /// Builds the client from a `providers["anthropic"]` config object. The key is read
    /// per request, so a missing environment variable fails the call, not construction.
    ///
    /// # Errors
    /// [`ProviderError::Config`] naming the key whose value is unusable.
    pub fn from_config(config: &Value) -> Result<Self, ProviderError> {
        let common = Common::from_config(KEY, config, DEFAULT_BASE)?;
        let err = |message: String| ProviderError::Config {
            provider: KEY.into(),
            message,
        };
        let thinking_budget = match config.get("thinkingBudgetTokens") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n >= 1024)
                    .ok_or_else(|| {
                        err(format!(
                            "`thinkingBudgetTokens` must be an integer of at least 1024, got {v}"
                        ))
                    })?,
            ),
        };
        let version = match config.get("anthropicVersion") {
            None | Some(Value::Null) => "2023-06-01".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => return Err(err(format!("`anthropicVersion` must be a string, got {v}"))),
        };
        Ok(Self {
            client: http_client(&common)?,
            common: Arc::new(common),
            thinking_budget,
            version,
        })
    }

    fn url(&self) -> String {
        let base = &self.common.base_url;
        if base.ends_with("/v1") {
            format!("{base}/messages")
        } else {
            format!("{base}/v1/messages")
        }
    }
}

impl Provider for Anthropic {
    fn name(&self) -> &str {
        KEY
    }

    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
        let key = match self.common.resolve_key() {
            Ok(Some(key)) => key,
            Ok(None) => return failed(self.common.key_required()),
            Err(e) => return failed(e),
        };
        let mut headers = HeaderMap::new();
        match secret_header(&self.common, key.expose().to_string()) {
            Ok(v) => headers.insert("x-api-key", v),
            Err(e) => return failed(e),
        };
        match HeaderValue::from_str(&self.version) {
            Ok(v) => headers.insert("anthropic-version", v),
            Err(_) => {
                return failed(ProviderError::Config {
                    provider: KEY.into(),
                    message: "`anthropicVersion` is not a valid header value".into(),
                })
            }
        };
        let max_tokens = request
            .max_tokens
            .or(self.common.max_tokens)
            .unwrap_or(DEFAULT_MAX_TOKENS);
        let body = request::Request::new(&request, max_tokens, self.thinking_budget);
        let body = serde_json::to_vec(&body).expect("wire request serializes");
        let call = HttpCall {
            client: self.client.clone(),
            common: self.common.clone(),
            url: self.url(),
            headers,
            body,
            key: Some(key),
        };
        transport::stream(call, decode::Decoder::new(KEY), cancel)
    }
}
