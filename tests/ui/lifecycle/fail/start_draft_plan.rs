// Proves a draft plan cannot be executed: `start` exists only on an approved plan.
use flowai::lifecycle::PlanLifecycle;

fn main() {
    let draft = PlanLifecycle::new("plan-1");
    let _ = draft.start();
}
