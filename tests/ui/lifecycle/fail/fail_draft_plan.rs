// Proves a draft plan cannot be marked failed: only an executing plan fails.
use flowai::lifecycle::PlanLifecycle;

fn main() {
    let _ = PlanLifecycle::new(()).fail();
}
