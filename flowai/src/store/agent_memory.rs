//! Per-thread memory of stateful agents (runtime-behavior §13). Each successful turn is one
//! record under `agent-memory:<agent>:<thread length>:<thread>:<order>`, so appending never
//! reads (a run commits its turns with its other records) and loading concatenates the
//! turns in order into `{"messages": [...]}`.

use super::{Op, Store, StoreError};
use serde_json::{json, Value};
use std::sync::Arc;

/// The memory of one tenant's stateful agents.
pub(crate) struct AgentMemory {
    store: Arc<dyn Store>,
    tenant: String,
}

/// The key prefix of one agent's turns on one thread (the length keeps threads that
/// contain `:` apart).
fn prefix(thread: &str, agent: &str) -> String {
    format!("agent-memory:{agent}:{}:{thread}:", thread.len())
}

impl AgentMemory {
    pub(crate) fn new(store: Arc<dyn Store>, tenant: &str) -> Self {
        Self {
            store,
            tenant: tenant.to_string(),
        }
    }

    /// Whether memory lives in `store` (so a turn's append commits with the run's records).
    pub(crate) fn is_in(&self, store: &Arc<dyn Store>) -> bool {
        Arc::ptr_eq(&self.store, store)
    }

    /// The write that appends one successful turn: the user prompt, the tool interactions,
    /// the answer. `order` sorts turns (a timestamp, then something unique).
    pub(crate) fn append_op(
        &self,
        thread: &str,
        agent: &str,
        order: &str,
        prompt: &str,
        response: &str,
        tools: Vec<Value>,
    ) -> Op {
        let mut messages = vec![json!({"content": prompt, "role": "user"})];
        messages.extend(tools);
        messages.push(json!({"content": response, "role": "assistant"}));
        let key = format!("{}{order}", prefix(thread, agent));
        Op::put(key, json!({"messages": messages}))
    }

    /// Commits a write made by [`AgentMemory::append_op`] on its own.
    pub(crate) fn commit(&self, op: Op) -> Result<(), StoreError> {
        self.store.commit(&self.tenant, vec![op])
    }

    /// The stored value `{"messages": [...]}`, if the agent has history on this thread.
    pub(crate) fn load(&self, thread: &str, agent: &str) -> Result<Option<Value>, StoreError> {
        let turns = self.store.scan(&self.tenant, &prefix(thread, agent))?;
        if turns.is_empty() {
            return Ok(None);
        }
        let messages: Vec<Value> = turns
            .iter()
            .filter_map(|(_, r)| r.value["messages"].as_array())
            .flatten()
            .cloned()
            .collect();
        Ok(Some(json!({"messages": messages})))
    }
}
