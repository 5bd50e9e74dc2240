// Proves an approved plan cannot be completed without executing it first.
use flowai::lifecycle::{plan_lifecycle, PlanLifecycle};

fn complete(plan: PlanLifecycle<plan_lifecycle::Approved, String>) {
    let _ = plan.complete();
}

fn main() {}
