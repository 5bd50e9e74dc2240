// Proves an executed plan (a terminal state) cannot be started again.
use flowai::lifecycle::{plan_lifecycle, PlanLifecycle};

fn rerun(plan: PlanLifecycle<plan_lifecycle::Executed, String>) {
    let _ = plan.start();
}

fn main() {}
