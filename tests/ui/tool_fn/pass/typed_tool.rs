// Proves `#[tool]` keeps the function and adds a unit struct whose `Args` carries the definition.
use flowai::typed::{tool, Tool, ToolArgs, ToolRef, TypedTool};

/// Echo text.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "echo")]
pub struct EchoArgs {
    pub text: String,
}

#[tool]
pub async fn echo(args: EchoArgs) -> Result<String, std::convert::Infallible> {
    Ok(args.text)
}

fn main() {
    assert_eq!(<Echo as TypedTool>::Args::NAME, "echo");
    assert_eq!(<Echo as TypedTool>::Args::DESCRIPTION, "Echo text.");
    const TOOLS: &[ToolRef] = &[ToolRef::of::<Echo>()];
    assert_eq!(TOOLS[0].name(), "echo");
    let _future = echo(EchoArgs { text: "hi".into() });
}
