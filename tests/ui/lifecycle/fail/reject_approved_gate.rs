// Proves a decided gate cannot be decided again: an approved gate has no `reject`.
use flowai::lifecycle::evidence::Reject;
use flowai::lifecycle::{approval_gate, ApprovalGate};

fn flip(gate: ApprovalGate<approval_gate::Approved, ()>, decision: Reject) {
    let _ = gate.reject(decision);
}

fn main() {}
