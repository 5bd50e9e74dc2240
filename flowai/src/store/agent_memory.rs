//! Per-thread memory of stateful agents (runtime-behavior §13): `agent-memory:<thread>:<agent>`
//! records holding `{"messages": [...]}`.

use super::{Op, Store, StoreError};
use serde_json::{json, Value};
use std::sync::Arc;

/// The memory of one tenant's stateful agents.
pub(crate) struct AgentMemory {
    store: Arc<dyn Store>,
    tenant: String,
}

fn key(thread: &str, agent: &str) -> String {
    format!("agent-memory:{thread}:{agent}")
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
    /// the answer.
    pub(crate) fn append_op(
        &self,
        thread: &str,
        agent: &str,
        prompt: &str,
        response: &str,
        tools: Vec<Value>,
    ) -> Result<Op, StoreError> {
        let mut messages = match self.load(thread, agent)? {
            Some(Value::Object(mut m)) => match m.remove("messages") {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        messages.push(json!({"content": prompt, "role": "user"}));
        messages.extend(tools);
        messages.push(json!({"content": response, "role": "assistant"}));
        Ok(Op::put(key(thread, agent), json!({"messages": messages})))
    }

    /// Commits a write made by [`AgentMemory::append_op`] on its own.
    pub(crate) fn commit(&self, op: Op) -> Result<(), StoreError> {
        self.store.commit(&self.tenant, vec![op])
    }

    /// The stored value `{"messages": [...]}`, if the agent has history on this thread.
    pub(crate) fn load(&self, thread: &str, agent: &str) -> Result<Option<Value>, StoreError> {
        Ok(self
            .store
            .get(&self.tenant, &key(thread, agent))?
            .map(|r| (*r.value).clone()))
    }
}
