// Proves other evidence does not stand in for `Granted`: a unit value is not a grant.
use flowai::lifecycle::PlanLifecycle;

fn main() {
    let draft = PlanLifecycle::new("plan-1");
    let _ = draft.approve(());
}
