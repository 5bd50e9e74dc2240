//! OpenAI Chat Completions (`POST {baseUrl}/chat/completions`, `stream: true` with
//! `stream_options: {"include_usage": true}`), for OpenAI and any compatible server: vLLM,
//! Ollama, llama.cpp, LiteLLM, corporate gateways.
//!
//! Tool-call fragments are reassembled by their `index` and parsed when the choice
//! finishes; `reasoning_content` / `reasoning` deltas (vLLM, llama.cpp, Ollama, OpenRouter)
//! become reasoning.
//!
//! Config `providers["openai-compatible"]`: `baseUrl` (default `https://api.openai.com/v1`),
//! `apiKey` or `apiKeyEnv` (optional: without one no `Authorization` header is sent, as
//! local servers expect), `maxTokens`, and the retry keys of
//! [`RetryPolicy`](super::RetryPolicy).

mod decode;
mod request;

use super::config::Common;
use super::transport::{self, failed, http_client, secret_header, HttpCall};
use super::{ModelRequest, Provider, ProviderError, ProviderEvent};
use futures::stream::BoxStream;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use serde_json::Value;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The provider key and message label.
pub const KEY: &str = "openai-compatible";
const DEFAULT_BASE: &str = "https://api.openai.com/v1";

/// A client of an OpenAI-compatible Chat Completions endpoint.
#[derive(Clone, Debug)]
pub struct OpenAiCompatible {
    common: Arc<Common>,
    client: reqwest::Client,
}

impl OpenAiCompatible {
    /// Builds the client from a `providers["openai-compatible"]` config object.
    ///
    /// # Errors
    /// [`ProviderError::Config`] naming the key whose value is unusable.
    pub fn from_config(config: &Value) -> Result<Self, ProviderError> {
        let common = Common::from_config(KEY, config, DEFAULT_BASE)?;
        Ok(Self {
            client: http_client(&common)?,
            common: Arc::new(common),
        })
    }
}

impl Provider for OpenAiCompatible {
    fn name(&self) -> &str {
        KEY
    }

    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
        let key = match self.common.resolve_key() {
            Ok(key) => key,
            Err(e) => return failed(e),
        };
        let mut headers = HeaderMap::new();
        if let Some(key) = &key {
            match secret_header(&self.common, format!("Bearer {}", key.expose())) {
                Ok(v) => headers.insert(AUTHORIZATION, v),
                Err(e) => return failed(e),
            };
        }
        let max_tokens = request.max_tokens.or(self.common.max_tokens);
        let body = request::Request::new(&request, max_tokens);
        let body = serde_json::to_vec(&body).expect("wire request serializes");
        let call = HttpCall {
            client: self.client.clone(),
            common: self.common.clone(),
            url: format!("{}/chat/completions", self.common.base_url),
            headers,
            body,
            key,
        };
        transport::stream(call, decode::Decoder::new(KEY), cancel)
    }
}
