// Proves the evidence of an approve decision cannot be forged outside the engine.
use flowai::lifecycle::evidence::Approve;

fn main() {
    let _ = Approve::new();
}
