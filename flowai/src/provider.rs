//! Model providers: one [`Provider`] trait for a model transport, the engine-side request
//! and event types, and the transports that implement it.
//!
//! * [`Anthropic`]: the Messages API with streaming SSE (`providers["anthropic"]`).
//! * [`OpenAiCompatible`]: Chat Completions, for OpenAI and any compatible server (vLLM,
//!   Ollama, llama.cpp, LiteLLM, gateways; `providers["openai-compatible"]`).
//! * [`Router`]: sends each request to the provider its model routes to
//!   (runtime-behavior §7), so one runtime can mix both.
//! * [`Recorder`] and [`Replay`]: record every model turn to a JSON-lines cassette, and
//!   serve a recorded run again offline.
//!
//! Each transport keeps its wire types private and converts them to and from
//! [`ModelRequest`], [`Message`] and [`ProviderEvent`]. Requests are retried per
//! [`RetryPolicy`]; every retry is reported as a [`ProviderEvent::Retry`] so the count can
//! land in `data-latency-summary.retryCount`.
//!
//! # Examples
//!
//! Build a provider from its spec config and hand it to a runtime:
//!
//! ```
//! use flowai::provider::{Anthropic, ProviderHandle};
//! use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity};
//! use std::sync::Arc;
//!
//! let config = serde_json::json!({"apiKeyEnv": "ANTHROPIC_API_KEY", "baseUrl": "http://127.0.0.1:9"});
//! let anthropic = Anthropic::from_config(&config).unwrap();
//! let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
//!     .agent(AgentSpec::specialist("worker", "claude-sonnet-4-6", "You help."))
//!     .interpreter(InterpreterKind::Provider(ProviderHandle::new(Arc::new(anthropic))))
//!     .build()
//!     .unwrap();
//! assert_eq!(runtime.resource_id(), "acme");
//! ```

pub mod anthropic;
pub mod cassette;
mod config;
mod error;
pub mod openai;
pub mod retry;
mod router;
pub mod sse;
mod transport;

pub use crate::tool::ToolSchema;
pub use anthropic::Anthropic;
pub use cassette::{Recorder, Replay};
pub use error::ProviderError;
pub use openai::OpenAiCompatible;
pub use retry::RetryPolicy;
pub use router::{build, Router, KEYS};
pub use tokio_util::sync::CancellationToken;

use crate::event::{FinishReason, Usage};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// A model transport: one streamed model call per [`Provider::stream`].
///
/// The stream yields the call's events in order and ends after [`ProviderEvent::Finish`],
/// or with one `Err` (after which it yields nothing). Dropping the stream aborts the call.
pub trait Provider: Send + Sync {
    /// The provider key or a label used in messages (`anthropic`, `openai-compatible`).
    fn name(&self) -> &str;

    /// Starts one model call. Nothing happens until the stream is polled; once `cancel`
    /// fires, the stream ends promptly with [`ProviderError::Cancelled`].
    fn stream(
        &self,
        request: ModelRequest,
        cancel: CancellationToken,
    ) -> BoxStream<'static, Result<ProviderEvent, ProviderError>>;
}

/// One model call as the engine describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelRequest {
    /// The provider key the agent's model routes to; [`Router`] dispatches on it, a single
    /// transport ignores it.
    pub provider: String,
    /// Model id.
    pub model: String,
    /// System prompt; empty for none.
    pub system: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// The tools the model may call.
    pub tools: Vec<ToolSchema>,
    /// Output token limit; `None` leaves it to the provider config (`maxTokens`).
    pub max_tokens: Option<u32>,
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// User text.
    User {
        /// The text.
        text: String,
    },
    /// A model reply: reasoning, text and the tool calls it asked for.
    Assistant {
        /// Reasoning blocks, replayed to providers that require them in tool loops.
        reasoning: Vec<Reasoning>,
        /// Reply text; may be empty.
        text: String,
        /// Tool calls, in the order the model made them.
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call.
    ToolResult {
        /// The tool call's id.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The result content (a JSON string is sent as is, anything else as compact JSON).
        content: Value,
        /// True for error results.
        is_error: bool,
    },
}

impl Message {
    /// User text.
    pub fn user(text: impl Into<String>) -> Self {
        Message::User { text: text.into() }
    }

    /// Assistant text without reasoning or tool calls.
    pub fn assistant(text: impl Into<String>) -> Self {
        Message::Assistant {
            reasoning: Vec::new(),
            text: text.into(),
            tool_calls: Vec::new(),
        }
    }
}

/// One reasoning ("thinking") block of a model reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reasoning {
    /// The reasoning text.
    pub text: String,
    /// The provider's integrity signature, if it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A complete tool call: its fragments reassembled and its arguments parsed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's tool-use id.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Parsed arguments.
    pub args: Value,
}

/// Token counts of one model call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Input tokens neither read from nor written to the prompt cache.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read: u64,
    /// Input tokens written to the prompt cache.
    pub cache_creation: u64,
}

impl std::ops::AddAssign for TokenUsage {
    fn add_assign(&mut self, rhs: Self) {
        self.input += rhs.input;
        self.output += rhs.output;
        self.cache_read += rhs.cache_read;
        self.cache_creation += rhs.cache_creation;
    }
}

impl From<TokenUsage> for Usage {
    fn from(u: TokenUsage) -> Self {
        Usage {
            cache_creation_input_tokens: u.cache_creation,
            cache_read_input_tokens: u.cache_read,
            completion_tokens: u.output,
            prompt_tokens: u.input,
        }
    }
}

/// Why a model call stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The model finished its reply.
    Stop,
    /// The model asked for tool calls.
    ToolCalls,
    /// The output token limit was hit.
    Length,
    /// The provider filtered or refused the content.
    ContentFilter,
}

impl From<StopReason> for FinishReason {
    fn from(r: StopReason) -> Self {
        match r {
            StopReason::Stop => FinishReason::Stop,
            StopReason::ToolCalls => FinishReason::ToolCalls,
            StopReason::Length => FinishReason::Length,
            StopReason::ContentFilter => FinishReason::ContentFilter,
        }
    }
}

/// One event of a streamed model call. This is also the cassette format (JSON, `type`
/// tagged, kebab-case).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProviderEvent {
    /// A piece of reply text.
    TextDelta {
        /// The text.
        text: String,
    },
    /// A piece of reasoning text.
    ReasoningDelta {
        /// The text.
        text: String,
    },
    /// The signature that closes the current reasoning block.
    ReasoningSignature {
        /// The signature.
        signature: String,
    },
    /// A complete tool call.
    ToolCall(ToolCall),
    /// Token usage of the call (sent once, before `Finish`).
    Usage(TokenUsage),
    /// The call is complete.
    Finish {
        /// Why it stopped.
        reason: StopReason,
    },
    /// An attempt failed and the request is retried after `delay_ms`.
    Retry {
        /// The retry number, from 1.
        attempt: u32,
        /// The wait before it.
        delay_ms: u64,
        /// What failed.
        reason: String,
        /// True when the failed attempt hit the per-request timeout.
        #[serde(default)]
        timeout: bool,
    },
}

/// A cloneable, comparable handle on a shared provider, as [`crate::InterpreterKind`]
/// carries it. Two handles are equal when they share the same provider.
#[derive(Clone)]
pub struct ProviderHandle(pub Arc<dyn Provider>);

impl ProviderHandle {
    /// Wraps a shared provider.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Self(provider)
    }
}

impl std::fmt::Debug for ProviderHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ProviderHandle")
            .field(&self.0.name())
            .finish()
    }
}

impl PartialEq for ProviderHandle {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0), Arc::as_ptr(&other.0))
    }
}

impl Eq for ProviderHandle {}
