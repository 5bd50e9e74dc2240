//! The typed payloads that [`StreamPart`](super::StreamPart) variants carry: token
//! [`Usage`], [`FinishReason`], [`CallState`], and the latency and cost summaries, each
//! with its wire JSON form.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Token usage of one interpreter turn (cumulative for that turn).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Tokens written to the provider's prompt cache.
    pub cache_creation_input_tokens: u64,
    /// Tokens read from the provider's prompt cache.
    pub cache_read_input_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Input tokens.
    pub prompt_tokens: u64,
}

impl Usage {
    /// `promptTokens + completionTokens`.
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }

    pub(super) fn to_value(self) -> Value {
        json!({
            "cacheCreationInputTokens": self.cache_creation_input_tokens,
            "cacheReadInputTokens": self.cache_read_input_tokens,
            "completionTokens": self.completion_tokens,
            "promptTokens": self.prompt_tokens,
            "totalTokens": self.total(),
        })
    }
}

/// Why an interpreter turn ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishReason {
    /// The model stopped on its own.
    Stop,
    /// The model asked for tool calls.
    ToolCalls,
    /// The turn budget or token limit was hit.
    Length,
    /// The provider filtered the content.
    ContentFilter,
}

impl FinishReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::ToolCalls => "tool-calls",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content-filter",
        }
    }
}

/// `state` of `tool-invocation` and `tool-agent` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// The call starts.
    Call,
    /// The call returned.
    Result,
}

impl CallState {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            CallState::Call => "call",
            CallState::Result => "result",
        }
    }
}

/// Timing of one tool call in a [`LatencySummary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolTiming {
    /// Tool name.
    pub tool_name: String,
    /// Tool-use id.
    pub tool_call_id: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// True when the tool returned an error result.
    pub is_error: bool,
}

/// Data of a `data-latency-summary` event (events.md §2.14).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencySummary {
    /// Wall time of the turn.
    pub total_duration_ms: u64,
    /// Model calls made.
    pub llm_calls: u64,
    /// Time spent in model calls.
    pub llm_time_ms: u64,
    /// Time spent in sub-agents.
    pub sub_agent_time_ms: u64,
    /// Time spent in tools.
    pub tool_time_ms: u64,
    /// Per-tool timings.
    pub tool_timings: Vec<ToolTiming>,
    /// Provider retries.
    pub retry_count: u64,
    /// Whether any request timed out.
    pub had_timeout: bool,
}

impl LatencySummary {
    pub(super) fn to_value(&self) -> Value {
        let timings: Vec<Value> = self
            .tool_timings
            .iter()
            .map(|t| {
                json!({
                    "durationMs": t.duration_ms,
                    "status": if t.is_error { "error" } else { "completed" },
                    "toolCallId": t.tool_call_id,
                    "toolName": t.tool_name,
                })
            })
            .collect();
        json!({
            "hadTimeout": self.had_timeout,
            "phases": {
                "llmCalls": self.llm_calls,
                "llmTimeMs": self.llm_time_ms,
                "subAgentTimeMs": self.sub_agent_time_ms,
                "toolTimeMs": self.tool_time_ms,
            },
            "retryCount": self.retry_count,
            "toolTimings": timings,
            "totalDurationMs": self.total_duration_ms,
        })
    }
}

/// Usage of one agent in a [`CostSummary`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentUsage {
    /// Agent name.
    pub agent_name: String,
    /// Model id.
    pub model: String,
    /// Its usage.
    pub usage: Usage,
}

/// Data of a `data-cost-summary` event (events.md §2.13): totals are sums over `agents`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostSummary {
    /// Per-agent usage.
    pub agents: Vec<AgentUsage>,
}

impl CostSummary {
    pub(super) fn to_value(&self) -> Value {
        let sum = |f: fn(&Usage) -> u64| self.agents.iter().map(|a| f(&a.usage)).sum::<u64>();
        let agents: Vec<Value> = self
            .agents
            .iter()
            .map(|a| json!({"agentName": a.agent_name, "model": a.model, "usage": a.usage.to_value()}))
            .collect();
        json!({
            "agents": agents,
            "totalCacheCreationInputTokens": sum(|u| u.cache_creation_input_tokens),
            "totalCacheReadInputTokens": sum(|u| u.cache_read_input_tokens),
            "totalCompletionTokens": sum(|u| u.completion_tokens),
            "totalPromptTokens": sum(|u| u.prompt_tokens),
            "totalTokens": sum(|u| u.total()),
        })
    }
}
