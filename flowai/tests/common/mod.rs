//! Helpers shared by the integration tests: stream collection and the exact wire form of
//! the events the contract documents (events.md §2, §4), written independently of the
//! engine's own constructors.
#![allow(dead_code)]

use flowai::{RunStream, StreamPart};
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// The model every test agent runs on.
pub const MODEL: &str = "claude-sonnet-4-6";

/// Reads a stream to its end.
pub async fn collect(stream: RunStream) -> Vec<StreamPart> {
    stream.collect().await
}

/// The compact JSON (sorted keys) of every event.
pub fn wire(events: &[StreamPart]) -> Vec<String> {
    events.iter().map(StreamPart::to_string).collect()
}

/// Asserts `id` is `inv-<uuid v4>` (lowercase hex, hyphenated).
pub fn assert_inv_id(id: &str) {
    let uuid = id
        .strip_prefix("inv-")
        .unwrap_or_else(|| panic!("{id} lacks the inv- prefix"));
    assert_eq!(uuid.len(), 36, "{id}");
    for (i, c) in uuid.chars().enumerate() {
        match i {
            8 | 13 | 18 | 23 => assert_eq!(c, '-', "{id}"),
            14 => assert_eq!(c, '4', "{id}: not a v4 uuid"),
            19 => assert!("89ab".contains(c), "{id}: bad uuid variant"),
            _ => assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase(), "{id}"),
        }
    }
}

/// The `toolInvocationId` of the first event (the entry agent's `tool-agent` call), checked
/// to be an `inv-<uuid>`.
pub fn entry_id(events: &[StreamPart]) -> String {
    let first = events.first().expect("at least one event").to_value();
    assert_eq!(first["type"], "tool-agent", "{first}");
    assert_eq!(first["state"], "call", "{first}");
    let id = first["toolInvocationId"]
        .as_str()
        .expect("string id")
        .to_string();
    assert_inv_id(&id);
    id
}

pub fn agent_call(agent: &str, id: &str) -> String {
    json!({"agentName": agent, "state": "call", "toolInvocationId": id, "type": "tool-agent"})
        .to_string()
}

pub fn agent_result(agent: &str, id: &str) -> String {
    json!({"agentName": agent, "state": "result", "toolInvocationId": id, "type": "tool-agent"})
        .to_string()
}

pub fn step_start() -> String {
    r#"{"type":"step-start"}"#.to_string()
}

pub fn text(t: &str) -> String {
    json!({"text": t, "type": "text"}).to_string()
}

pub fn tool_call(id: &str, name: &str, args: &Value) -> String {
    json!({"args": args, "state": "call", "toolInvocationId": id, "toolName": name, "type": "tool-invocation"})
        .to_string()
}

pub fn tool_result(id: &str, name: &str, args: &Value, result: &Value) -> String {
    json!({
        "args": args, "result": result, "state": "result",
        "toolInvocationId": id, "toolName": name, "type": "tool-invocation",
    })
    .to_string()
}

/// `finish` with reason `stop` and all-zero usage (noop and scripted interpreters).
pub fn finish_zero() -> String {
    concat!(
        r#"{"finishReason":"stop","type":"finish","usage":{"cacheCreationInputTokens":0,"#,
        r#""cacheReadInputTokens":0,"completionTokens":0,"promptTokens":0,"totalTokens":0}}"#
    )
    .to_string()
}

pub fn error(message: &str) -> String {
    json!({"error": {"message": message}, "type": "error"}).to_string()
}

/// Records every call of a tool closure: its arguments and context fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub args: Value,
    pub tool_use_id: String,
    pub agent_name: String,
    pub thread_id: String,
    pub resource_id: String,
}

/// A shared log of tool calls.
pub type CallLog = Arc<Mutex<Vec<Call>>>;

pub fn call_log() -> CallLog {
    Arc::new(Mutex::new(Vec::new()))
}

/// Pushes one call into `log`.
pub fn record(log: &CallLog, args: &Value, ctx: &flowai::ToolContext) {
    log.lock().unwrap().push(Call {
        args: args.clone(),
        tool_use_id: ctx.tool_use_id.clone(),
        agent_name: ctx.agent_name.clone(),
        thread_id: ctx.thread_id.clone(),
        resource_id: ctx.resource_id.clone(),
    });
}

/// Asserts two event lists are equal, printing both in full on failure.
#[track_caller]
pub fn assert_events(actual: &[StreamPart], expected: &[String]) {
    let actual = wire(actual);
    assert_eq!(
        actual,
        expected,
        "\nactual:\n{}\nexpected:\n{}",
        actual.join("\n"),
        expected.join("\n")
    );
}

/// A builder for tenant `acme` (with the placeholder `anthropic` provider).
pub fn builder() -> flowai::RuntimeBuilder {
    flowai::Runtime::builder(flowai::TenantIdentity::new("acme", "v1"))
}

/// The construction error of `builder`, which must fail.
#[track_caller]
pub fn build_err(builder: flowai::RuntimeBuilder) -> flowai::SpecError {
    match builder.build() {
        Ok(_) => panic!("construction unexpectedly succeeded"),
        Err(e) => e,
    }
}

/// The message of the construction error of `builder`, which must fail.
#[track_caller]
pub fn message(builder: flowai::RuntimeBuilder) -> String {
    build_err(builder).to_string()
}

/// The message of the error of `Runtime::new(spec, options)`, which must fail.
#[track_caller]
pub fn new_err(spec: flowai::RuntimeSpec, options: flowai::RuntimeOptions) -> String {
    match flowai::Runtime::new(spec, options) {
        Ok(_) => panic!("construction unexpectedly succeeded"),
        Err(e) => e.to_string(),
    }
}

/// A spec for tenant `acme` with `agents` and the placeholder `anthropic` provider.
pub fn spec(agents: Vec<flowai::AgentSpec>) -> flowai::RuntimeSpec {
    let mut spec = flowai::RuntimeSpec::new(flowai::TenantIdentity::new("acme", "v1"));
    spec.agents = agents;
    spec
}

/// Reads events until one of type `kind` (inclusive), then returns them as wire values.
pub async fn until(stream: &mut RunStream, kind: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    while let Some(part) = stream.next().await {
        let done = part.type_name() == kind;
        seen.push(part.to_value());
        if done {
            return seen;
        }
    }
    panic!("the stream ended before {kind}: {seen:?}");
}

/// Run `run`'s journal, checked to number its events 1..=N without a gap or a duplicate.
pub fn journal(rt: &flowai::Runtime, run: &str) -> Vec<Value> {
    let events = rt.run_events(run, 0).unwrap();
    let seqs: Vec<u64> = events.iter().map(|(seq, _)| *seq).collect();
    let expected: Vec<u64> = (1..=events.len() as u64).collect();
    assert_eq!(seqs, expected, "the journal has a gap or a duplicate");
    events.into_iter().map(|(_, e)| e).collect()
}
