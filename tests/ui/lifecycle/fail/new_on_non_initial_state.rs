// Proves `new` exists only in the initial state: a plan cannot be created already approved.
use flowai::lifecycle::{plan_lifecycle, PlanLifecycle};

fn main() {
    let _ = PlanLifecycle::<plan_lifecycle::Approved, ()>::new(());
}
