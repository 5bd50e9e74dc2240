// Proves only an approved gate hands out `Granted`: a pending gate has no `granted`.
use flowai::lifecycle::ApprovalGate;

fn main() {
    let gate = ApprovalGate::new(());
    let _ = gate.granted();
}
