//! Runs the Acme scenario (approve, reject, revise) and prints what happened.
//!
//! Run: `cargo run -p flowai-examples --bin acme`

use flowai::approval::Decision;
use flowai_examples::acme::run_flow;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    for (outcome, feedback) in [
        ("approve", None),
        ("reject", Some("too deep a discount")),
        ("revise", None),
    ] {
        println!("== {outcome}");
        let decision = Decision::parse(outcome, feedback.map(str::to_string), None)?;
        let (events, applied) = run_flow(decision).await;
        for part in events {
            let v = part.to_value();
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            match part.type_name() {
                "tool-agent" if v["state"] == "call" => {
                    println!("agent call: {}", s(&v["agentName"]))
                }
                "approval-required" => println!(
                    "approval required: {} {}",
                    v["data"]["kind"], v["data"]["target"]
                ),
                "approval-decision" => println!("approval decision: {}", v["data"]["outcome"]),
                "plan-status-change" => {
                    println!("plan: {} -> {}", s(&v["data"]["from"]), s(&v["data"]["to"]))
                }
                "tool-invocation" if v["state"] == "result" && v["toolName"] != "call_agent" => {
                    println!(
                        "tool result: {} -> {:.90}",
                        v["toolName"],
                        v["result"].to_string()
                    )
                }
                _ => {}
            }
        }
        println!("dispatched actions: {}", applied.len());
    }
    Ok(())
}
