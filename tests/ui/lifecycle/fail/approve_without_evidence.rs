// Proves a plan cannot be approved without the `Granted` evidence of a recorded approve.
use flowai::lifecycle::PlanLifecycle;

fn main() {
    let draft = PlanLifecycle::new("plan-1");
    let _ = draft.approve();
}
