// Proves the engine's lifecycles expose the typestate constructors and the run-time checker
// to code outside the engine, with the states' wire names.
use flowai::lifecycle::{
    approval_gate, plan_lifecycle, ApprovalGate, ApprovalGateState, PlanLifecycle, PlanLifecycleState,
};
use flowai::machine::Machine;

fn main() {
    let plan: PlanLifecycle<plan_lifecycle::Draft, &str> = PlanLifecycle::new("body");
    assert_eq!(plan.state(), PlanLifecycleState::Draft);
    assert_eq!(*plan.value(), "body");
    let gate: ApprovalGate<approval_gate::Pending, u8> = ApprovalGate::new(7);
    let expired = gate.expire();
    assert_eq!(expired.state(), ApprovalGateState::Expired);
    assert_eq!(
        PlanLifecycleState::Draft.transition(PlanLifecycleState::Approved),
        Ok(PlanLifecycleState::Approved)
    );
    let err = PlanLifecycleState::Draft.transition(PlanLifecycleState::Executing).unwrap_err();
    assert_eq!(err.to_string(), "illegal transition of `PlanLifecycle` from `draft` to `executing`");
    assert_eq!(ApprovalGateState::RevisionRequested.as_str(), "revision_requested");
    assert_eq!(ApprovalGateState::TRANSITIONS.len(), 4);
}
