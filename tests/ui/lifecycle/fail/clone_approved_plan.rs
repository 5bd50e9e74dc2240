// Proves a plan in a typestate cannot be cloned, so one approval cannot execute it twice.
use flowai::lifecycle::{plan_lifecycle, PlanLifecycle};

fn twice(plan: PlanLifecycle<plan_lifecycle::Approved, String>) {
    let copy = plan.clone();
    let _ = (plan.start(), copy.start());
}

fn main() {}
