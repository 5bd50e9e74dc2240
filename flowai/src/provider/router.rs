//! Model routing (runtime-behavior §7): one provider per provider key, and a [`Router`]
//! that sends each request to the provider of [`ModelRequest::provider`].

use super::transport::failed;
use super::{anthropic, openai, Anthropic, OpenAiCompatible};
use super::{ModelRequest, Provider, ProviderError, ProviderEvent};
use crate::spec::{RuntimeSpec, SpecError};
use futures::stream::BoxStream;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The provider keys this release has a transport for.
pub const KEYS: [&str; 2] = [anthropic::KEY, openai::KEY];

/// Builds the transport for provider key `key` from its config object; `Ok(None)` when
/// `key` has no transport (`bedrock`, custom keys).
///
/// # Errors
/// [`ProviderError::Config`] for an unusable config.
///
/// # Examples
///
/// ```
/// let p = flowai::provider::build("openai-compatible", &serde_json::json!({"baseUrl": "http://127.0.0.1:8000/v1"}));
/// assert_eq!(p.unwrap().unwrap().name(), "openai-compatible");
/// assert!(flowai::provider::build("bedrock", &serde_json::Value::Null).unwrap().is_none());
/// ```
pub fn build(key: &str, config: &Value) -> Result<Option<Arc<dyn Provider>>, ProviderError> {
    Ok(match key {
        anthropic::KEY => Some(Arc::new(Anthropic::from_config(config)?)),
        openai::KEY => Some(Arc::new(OpenAiCompatible::from_config(config)?)),
        _ => None,
    })
}

/// Sends each request to the provider its agent's model routes to.
#[derive(Clone, Default)]
pub struct Router {
    routes: BTreeMap<String, Arc<dyn Provider>>,
}

impl Router {
    /// A router with no routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes provider key `key` to `provider`.
    pub fn route(mut self, key: impl Into<String>, provider: Arc<dyn Provider>) -> Self {
        self.routes.insert(key.into(), provider);
        self
    }

    /// One transport for every provider key an agent of `spec` routes to
    /// ([`crate::spec::ModelSpec::provider_key`]).
    ///
    /// # Errors
    /// Construction checks 11 and 12 of runtime-behavior §2 for the first agent whose key
    /// is not declared in `spec.providers` ([`SpecError::ProviderMissing`]) or has no
    /// transport ([`SpecError::NoInterpreter`]); [`SpecError::Provider`] with the provider's
    /// message for an unusable config.
    pub fn from_spec(spec: &RuntimeSpec) -> Result<Self, SpecError> {
        let mut router = Self::new();
        for agent in &spec.agents {
            let key = agent.model.provider_key();
            if router.routes.contains_key(key) {
                continue;
            }
            let (a, p, m) = (agent.name.clone(), key.to_string(), agent.model.id.clone());
            let config = spec
                .providers
                .get(key)
                .ok_or_else(|| SpecError::ProviderMissing {
                    agent: a.clone(),
                    provider: p.clone(),
                    model: m.clone(),
                })?;
            let provider = build(key, config)
                .map_err(|e| SpecError::Provider(e.to_string()))?
                .ok_or(SpecError::NoInterpreter {
                    agent: a,
                    provider: p,
                    model: m,
                })?;
            router.routes.insert(key.to_string(), provider);
        }
        Ok(router)
    }
}

impl Provider for Router {
    fn name(&self) -> &str {
        "router"
    }

    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>> {
        match self.routes.get(&request.provider) {
            Some(p) => p.stream(request, cancel),
            None => failed(ProviderError::Config {
                provider: request.provider.clone(),
                message: format!(
                    "no transport is configured for provider key `{}` (model `{}`); declare it in RuntimeSpec.providers",
                    request.provider, request.model
                ),
            }),
        }
    }
}
