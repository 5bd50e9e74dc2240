//! Procedural macros for flowai: the state-machine DSL and the derives for tools, plans and
//! agents. Use them through the `flowai` crate (`flowai::state_machine!`,
//! `flowai::typed::{Agent, Tool, Action, Plan, tool}`), which re-exports them beside the
//! traits they implement.
//!
//! Every macro runs the same stages, one file each: parse (syn, keeping the tokens for
//! spans) -> IR -> checks (each error collected, on its token) -> code generation
//! (hygienic, through `::flowai::__private`). The entry points below only call `expand`.

mod agent;
mod attr;
mod case;
mod ctxt;
mod kw;
mod machine;
mod plan;
mod tool;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput, ItemFn};

/// Declares a state machine: a typestate API checked by the compiler and a `const`
/// transition table checked at run time.
///
/// `machine Name { states: ...; initial: ...; terminal: ...; transitions { A -> B: method(evidence: Type); } }`
/// generates:
///
/// * `struct Name<S, T = ()>`: a `T` in state `S`; `new(value)` exists only in the initial
///   state; `value()`, `value_mut()`, `into_inner()`, `map(f)`, `state()`; one method per
///   declared edge on `Name<From, T>` returning `Name<To, T>`, consuming its evidence;
/// * `mod name` (snake case) with one zero-sized marker type per state;
/// * `enum NameState` (`Copy`, `Eq`, `Hash`, `Ord`, `Debug`, `Display`, `FromStr`, serde as
///   the snake_case name) with `ALL`, `INITIAL`, `as_str()`, `is_terminal()`,
///   `transition(to)`, and an impl of `flowai::machine::Machine`.
///
/// Unknown, duplicate, unreachable and trap states, terminal states with outgoing edges,
/// duplicate edges and duplicate method names are compile errors on the offending token.
///
/// # Examples
///
/// ```
/// pub struct Key;
///
/// flowai::state_machine! {
///     /// A safe.
///     pub machine Safe {
///         states: Locked, Open, Destroyed;
///         initial: Locked;
///         terminal: Destroyed;
///         transitions {
///             Locked -> Open: unlock(key: Key);
///             Open -> Locked: lock;
///             Locked -> Destroyed: blow_up;
///         }
///     }
/// }
///
/// let safe: Safe<safe::Locked, &str> = Safe::new("gold");
/// let open = safe.unlock(Key);
/// assert_eq!(open.state(), SafeState::Open);
/// assert_eq!(open.state().as_str(), "open");
/// assert!(SafeState::Open.transition(SafeState::Destroyed).is_err());
/// assert_eq!(open.lock().blow_up().into_inner(), "gold");
/// ```
///
/// An undeclared edge has no method:
///
/// ```compile_fail
/// flowai::state_machine! {
///     machine Bulb { states: Off, On, Burnt; initial: Off; terminal: Burnt;
///         transitions { Off -> On: switch_on; On -> Burnt: burn; } }
/// }
/// let _ = Bulb::new(()).burn(); // `burn` leaves `On`, not `Off`
/// ```
#[proc_macro]
pub fn state_machine(input: TokenStream) -> TokenStream {
    machine::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `flowai::typed::ToolArgs` for a tool's argument struct.
///
/// Keys of `#[flowai(...)]`: `name = "..."` (required; 1 to 64 letters, digits, `_`, `-`),
/// `description = "..."` (default: the doc comment), and either
/// `approval = "never" | "always"` (default `never`) or `predicate = path::to_fn`, a
/// `fn(&Args) -> bool` that makes the rule `{"kind": "dynamic", "value": "<fn name>"}`, and
/// `idempotent` (or `idempotent = true | false`, default `false`): a call interrupted by a
/// dying process simply runs again on resume instead of surfacing as in doubt
/// (`ToolDef::idempotent`, Python's `define_tool(..., idempotent=True)`).
/// The struct also derives `serde::Deserialize` and `schemars::JsonSchema`.
///
/// # Examples
///
/// ```
/// use flowai::typed::{Tool, ToolArgs};
///
/// /// Look up a SKU.
/// #[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
/// #[flowai(name = "lookup_sku", approval = "never", idempotent)]
/// struct Lookup { sku: String }
///
/// assert_eq!(Lookup::DESCRIPTION, "Look up a SKU.");
/// assert_eq!(Lookup::input_schema()["properties"]["sku"]["type"], "string");
/// assert!(Lookup::IDEMPOTENT);
/// ```
///
/// `idempotent` is a flag or a bool:
///
/// ```compile_fail
/// use flowai::typed::Tool;
/// #[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
/// #[flowai(name = "lookup_sku", idempotent = "yes")]
/// struct Lookup { sku: String }
/// ```
#[proc_macro_derive(Tool, attributes(flowai))]
pub fn derive_tool(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    tool::expand_derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns `async fn name(args: Args) -> Result<T, E>` (or `(args: Args, ctx: ToolContext)`)
/// into a typed tool: the function stays, and a unit struct `Name` (PascalCase) implements
/// `flowai::typed::TypedTool` with `type Args = Args`. `Args` derives `Tool`; `T: Serialize`
/// is the JSON result and `E: Display` the tool error.
///
/// # Examples
///
/// ```
/// use flowai::typed::{tool, Tool, ToolArgs, TypedTool};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
/// #[flowai(name = "double")]
/// struct DoubleArgs { n: i64 }
///
/// #[tool]
/// async fn double(args: DoubleArgs) -> Result<i64, String> {
///     Ok(args.n * 2)
/// }
///
/// assert_eq!(<Double as TypedTool>::Args::NAME, "double");
/// ```
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    tool::expand_fn(attr.into(), &func)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `flowai::typed::Action` for a `#[serde(tag = "kind")]` enum: `KINDS` (each
/// variant's wire kind, after serde's `rename_all` and `rename`) and `kind()`.
///
/// # Examples
///
/// ```
/// use flowai::typed::Action;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Action)]
/// #[serde(tag = "kind", rename_all = "snake_case")]
/// enum Step { PriceChange { sku: String }, PromotionLaunch { name: String } }
///
/// assert_eq!(Step::KINDS, ["price_change", "promotion_launch"]);
/// ```
#[proc_macro_derive(Action, attributes(flowai))]
pub fn derive_action(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    plan::expand_action(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `flowai::typed::Plan` for a struct with an `actions: Vec<A>` field (`A:
/// Action`). Keys: `name = "..."` (default: the type name) and
/// `display_aliases(status = "alias", ...)` over the five plan statuses.
///
/// # Examples
///
/// ```
/// use flowai::typed::{Action, Plan};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Action)]
/// #[serde(tag = "kind")]
/// enum Step { Notify { message: String } }
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
/// #[flowai(name = "DemoPlan")]
/// struct Demo { actions: Vec<Step> }
///
/// assert_eq!(Demo::plan_spec().name, "DemoPlan");
/// ```
#[proc_macro_derive(Plan, attributes(flowai))]
pub fn derive_plan(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    plan::expand_plan(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `flowai::typed::Agent`: the wire `AgentSpec` the matching `define_*` helper
/// produces, checked at compile time.
///
/// Keys: `role` (`coordinator`, `planner`, `executor`, `specialist`), `model`, `prompt`
/// (required; any `&str`/`String` expression), `name` (default: the snake_case type name),
/// `provider`, `routes(AgentType, ...)` (coordinators only, at least one), `plan = PlanType`
/// (planners and executors only, required), `tools(ToolType, ...)`, `toolkits("catalog", ...)`,
/// `approval(plans = "...", tools = "...")` (`never`, `always`, `default`),
/// `tool_approvals(tool_name = "...")`, `stateful = bool` (default: the role's),
/// `max_turns = N` (at least 1).
///
/// # Examples
///
/// ```
/// use flowai::typed::Agent;
///
/// #[derive(Agent)]
/// #[flowai(role = "specialist", model = "claude-sonnet-4-6", prompt = "Say hello.")]
/// struct Greeter;
///
/// #[derive(Agent)]
/// #[flowai(role = "coordinator", model = "claude-sonnet-4-6", prompt = "Route.", routes(Greeter))]
/// struct HelloCoordinator;
///
/// let spec = HelloCoordinator::agent_spec();
/// assert_eq!((spec.name.as_str(), spec.stateful), ("hello_coordinator", true));
/// assert_eq!(spec.routes, ["greeter"]);
/// ```
///
/// A route must be an agent:
///
/// ```compile_fail
/// use flowai::typed::Agent;
/// struct NotAnAgent;
/// #[derive(Agent)]
/// #[flowai(role = "coordinator", model = "m", prompt = "p", routes(NotAnAgent))]
/// struct Hub;
/// ```
#[proc_macro_derive(Agent, attributes(flowai))]
pub fn derive_agent(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    agent::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
