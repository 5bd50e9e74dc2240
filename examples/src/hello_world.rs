//! The documented hello world (events.md §4.1), from Rust: a coordinator on the testing
//! interpreter answers with a fixed text. Prints each event as Python's `print(event)` would.
//!
//! Run: `cargo run -p flowai-examples --bin hello_world`

use flowai::event::python_repr;
use flowai::{AgentSpec, InterpreterKind, Runtime, TenantIdentity};
use futures::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = Runtime::builder(TenantIdentity::new("acme", "v1"))
        .agent(AgentSpec::coordinator(
            "hello_coordinator",
            "claude-sonnet-4-6",
            "You greet people.",
            &["greeter"],
        ))
        .agent(AgentSpec::specialist(
            "greeter",
            "claude-sonnet-4-6",
            "Say hello.",
        ))
        .interpreter(InterpreterKind::Mock {
            response: "hello from the Rust runtime".into(),
        })
        .build()?;
    let mut events = runtime.query("Say hello", "thread-1");
    while let Some(event) = events.next().await {
        println!("{}", python_repr(&event.to_value()));
    }
    Ok(())
}
