// Proves the four roles derive with every key, and routes, tools and plan resolve by type.
use flowai::spec::{ApprovalRule, Role};
use flowai::typed::{tool, Action, Agent, Plan, Tool};

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Step {
    Notify { message: String },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
struct DemoPlan {
    actions: Vec<Step>,
}

/// Search products.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search_products", approval = "always")]
struct SearchArgs {
    query: String,
}

#[tool]
async fn search_products(args: SearchArgs) -> Result<Vec<String>, String> {
    Ok(vec![args.query])
}

const PROMPT: &str = "Plan the change.";

#[derive(Agent)]
#[flowai(role = "planner", model = "claude-sonnet-4-6", prompt = PROMPT, plan = DemoPlan, toolkits("catalog"))]
struct ScenarioPlanner;

#[derive(Agent)]
#[flowai(role = "executor", model = "claude-sonnet-4-6", prompt = "Run it.", plan = DemoPlan, approval(plans = "never"))]
struct ScenarioExecutor;

#[derive(Agent)]
#[flowai(
    name = "products",
    role = "specialist",
    model = "gpt-4o",
    provider = "openai-compatible",
    prompt = String::from("Answer."),
    tools(SearchProducts),
    tool_approvals(execute_query = "never"),
    stateful = true,
    max_turns = 8
)]
struct ProductInsights;

#[derive(Agent)]
#[flowai(
    role = "coordinator",
    model = "claude-sonnet-4-6",
    prompt = "Route.",
    routes(ScenarioPlanner, ScenarioExecutor, ProductInsights)
)]
struct Coordinator;

fn main() {
    assert_eq!(Coordinator::agent_spec().routes, ["scenario_planner", "scenario_executor", "products"]);
    assert_eq!(ScenarioPlanner::agent_spec().system_prompt, PROMPT);
    assert_eq!(ScenarioExecutor::ROLE, Role::Executor);
    assert_eq!(ScenarioExecutor::plan().unwrap().name, "DemoPlan");
    let products = ProductInsights::agent_spec();
    assert_eq!(products.model.provider.as_deref(), Some("openai-compatible"));
    assert!(products.stateful);
    let rules = ProductInsights::tool_rules();
    assert_eq!(rules["search_products"], ApprovalRule::Always);
    assert_eq!(rules["execute_query"], ApprovalRule::Never);
}
