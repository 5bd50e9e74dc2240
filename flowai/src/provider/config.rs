//! The config keys every transport shares (runtime-behavior §7): `apiKey` or `apiKeyEnv`,
//! `baseUrl`, `maxTokens`, and the retry keys of [`RetryPolicy`].

use super::{ProviderError, RetryPolicy};
use serde_json::Value;

/// An API key. Its `Debug` form never shows it.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Where the key comes from. An environment variable is read on every request, so a key
/// set after the runtime was built is picked up.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    Inline(Secret),
    Env(String),
    None,
}

/// The shared part of a provider config.
#[derive(Clone, Debug)]
pub(crate) struct Common {
    /// The provider key, for messages (`anthropic`, `openai-compatible`).
    pub(crate) provider: String,
    pub(crate) key: KeySource,
    /// Base URL without a trailing `/`.
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_tokens: Option<u32>,
}

impl Common {
    /// Reads `config` (an object, or `null` for all defaults).
    pub(crate) fn from_config(
        provider: &str,
        config: &Value,
        default_base: &str,
    ) -> Result<Self, ProviderError> {
        let err = |message: String| ProviderError::Config {
            provider: provider.to_string(),
            message,
        };
        if !(config.is_object() || config.is_null()) {
            return Err(err(format!("expected an object, got {}", kind(config))));
        }
        let string = |key: &str| -> Result<Option<String>, ProviderError> {
            match config.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(v) => Err(err(format!("`{key}` must be a string, got {}", kind(v)))),
            }
        };
        let key = match (string("apiKey")?, string("apiKeyEnv")?) {
            (Some(k), _) => KeySource::Inline(Secret(k)),
            (None, Some(var)) => KeySource::Env(var),
            (None, None) => KeySource::None,
        };
        let base_url = string("baseUrl")?.unwrap_or_else(|| default_base.to_string());
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| err(format!("`baseUrl` {base_url:?} is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(err(format!("`baseUrl` {base_url:?} must be http or https")));
        }
        let max_tokens = match config.get("maxTokens") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        err(format!("`maxTokens` must be a positive integer, got {v}"))
                    })?,
            ),
        };
        Ok(Self {
            provider: provider.to_string(),
            key,
            base_url: base_url.trim_end_matches('/').to_string(),
            retry: RetryPolicy::from_config(config).map_err(err)?,
            max_tokens,
        })
    }

    /// The key for this request; `Ok(None)` when none is configured.
    pub(crate) fn resolve_key(&self) -> Result<Option<Secret>, ProviderError> {
        match &self.key {
            KeySource::Inline(k) => Ok(Some(k.clone())),
            KeySource::None => Ok(None),
            KeySource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Some(Secret(v))),
                _ => Err(ProviderError::MissingKey {
                    provider: self.provider.clone(),
                    hint: format!(
                        "environment variable `{var}` (named by providers[\"{}\"].apiKeyEnv) is not set",
                        self.provider
                    ),
                }),
            },
        }
    }

    /// Where the key came from, for auth errors.
    pub(crate) fn key_from(&self) -> String {
        match &self.key {
            KeySource::Inline(_) => format!("providers[\"{}\"].apiKey", self.provider),
            KeySource::Env(var) => format!("environment variable `{var}`"),
            KeySource::None => format!(
                "nowhere (providers[\"{}\"] sets neither apiKey nor apiKeyEnv)",
                self.provider
            ),
        }
    }

    /// The error for a transport that cannot run without a key.
    pub(crate) fn key_required(&self) -> ProviderError {
        ProviderError::MissingKey {
            provider: self.provider.clone(),
            hint: format!("set providers[\"{}\"].apiKey or .apiKeyEnv", self.provider),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_urls_and_errors() {
        let c = Common::from_config(
            "anthropic",
            &json!({"apiKey": "sk-secret", "baseUrl": "http://h:1/"}),
            "https://x",
        )
        .unwrap();
        assert_eq!(c.base_url, "http://h:1");
        assert!(!format!("{c:?}").contains("sk-secret"));
        assert_eq!(c.resolve_key().unwrap().unwrap().expose(), "sk-secret");

        let env = Common::from_config(
            "anthropic",
            &json!({"apiKeyEnv": "FLOWAI_TEST_UNSET_KEY_VAR"}),
            "https://x",
        )
        .unwrap();
        let e = env.resolve_key().unwrap_err().to_string();
        assert!(e.contains("`FLOWAI_TEST_UNSET_KEY_VAR`"), "{e}");

        let bad = Common::from_config("p", &json!({"baseUrl": 3}), "https://x").unwrap_err();
        assert!(
            bad.to_string().contains("`baseUrl` must be a string"),
            "{bad}"
        );
        let bad = Common::from_config("p", &json!({"baseUrl": "ftp://x"}), "https://x");
        assert!(bad.is_err());
        let bad = Common::from_config("p", &json!({"maxTokens": 0}), "https://x");
        assert!(bad.unwrap_err().to_string().contains("`maxTokens`"));
    }
}
