//! Per-thread memory of stateful agents (runtime-behavior §13).

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// Per-thread conversation memory of stateful agents, keyed
/// `agent-memory:<thread id>:<agent name>` (the runtime handle is bound to one tenant).
#[derive(Default)]
pub(crate) struct MemoryStore {
    entries: Mutex<HashMap<String, Vec<Value>>>,
}

fn key(thread: &str, agent: &str) -> String {
    format!("agent-memory:{thread}:{agent}")
}

impl MemoryStore {
    /// Appends one successful turn: the user prompt, the tool interactions, the answer.
    pub(crate) fn append_turn(
        &self,
        thread: &str,
        agent: &str,
        prompt: &str,
        response: &str,
        tools: Vec<Value>,
    ) {
        let mut entries = self.entries.lock().expect("memory store lock");
        let messages = entries.entry(key(thread, agent)).or_default();
        messages.push(json!({"content": prompt, "role": "user"}));
        messages.extend(tools);
        messages.push(json!({"content": response, "role": "assistant"}));
    }

    /// The stored value `{"messages": [...]}`, if the agent has history on this thread.
    pub(crate) fn load(&self, thread: &str, agent: &str) -> Option<Value> {
        let entries = self.entries.lock().expect("memory store lock");
        entries
            .get(&key(thread, agent))
            .map(|m| json!({"messages": m}))
    }
}
