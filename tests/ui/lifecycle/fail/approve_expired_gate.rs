// Proves an expired approval gate cannot be approved afterwards.
use flowai::lifecycle::evidence::Approve;
use flowai::lifecycle::{approval_gate, ApprovalGate};

fn late(gate: ApprovalGate<approval_gate::Expired, ()>, decision: Approve) {
    let _ = gate.approve(decision);
}

fn main() {}
