// Proves a Rust program can build the wire spec of a coordinator and a specialist with
// nothing but the `flowai` spec types (no engine, no Python), and read it back.
use flowai::spec::{AgentSpec, ApprovalRule, Role, RuntimeSpec, TenantIdentity};

fn main() {
    let mut spec = RuntimeSpec::new(TenantIdentity::new("acme", "v1"));
    spec.agents.push(AgentSpec::coordinator("coordinator", "claude-sonnet-4-6", "Route.", &["worker"]));
    spec.agents.push(AgentSpec::specialist("worker", "claude-sonnet-4-6", "Work."));
    let coordinator: &AgentSpec = spec.agent("coordinator").expect("declared");
    assert_eq!(coordinator.role, Role::Coordinator);
    assert_eq!(spec.approval_policies.plans, ApprovalRule::Always);
    let json: String = serde_json_roundtrip(&spec);
    assert!(json.contains("\"systemPrompt\":\"Route.\""));
}

fn serde_json_roundtrip(spec: &RuntimeSpec) -> String {
    flowai::__private::serde_json::to_string(spec).expect("serializes")
}
