//! A derived agent is exactly the wire `AgentSpec` Python's `define_*` helpers produce
//! (python-api.md §4.2-§4.3): same keys, same order, role-default `stateful`, routes by the
//! route types' agent names, `maxTurns` omitted when unset. The expected JSON below is
//! what `define_coordinator`/`define_planner`/`define_executor`/`define_specialist`
//! dump (`model_dump(by_alias=True, mode="json")`) for the same arguments, written by hand.

use flowai::spec::{AgentSpec, ApprovalPolicyPatch, ApprovalRule, Role};
use flowai::typed::{tool, Action, Agent, Plan, Tool};
use serde_json::json;

#[derive(serde::Deserialize, schemars::JsonSchema, Action)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(dead_code)]
enum ScenarioAction {
    PriceChange { sku: String, price: f64 },
    PromotionLaunch { name: String, discount_pct: u8 },
}

#[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
#[flowai(name = "ScenarioPlan")]
#[allow(dead_code)]
struct ScenarioPlan {
    actions: Vec<ScenarioAction>,
    rationale: String,
}

/// Search products by free text.
#[derive(serde::Deserialize, schemars::JsonSchema, Tool)]
#[flowai(name = "search_products", approval = "always")]
struct SearchArgs {
    query: String,
}

#[tool]
async fn search_products(args: SearchArgs) -> Result<Vec<String>, String> {
    Ok(vec![args.query])
}

/// `define_coordinator("coordinator", model="claude-sonnet-4-6", prompt="Route requests.",
/// routes=["scenario_planner", "scenario_executor", "product_insights"])`
#[derive(Agent)]
#[flowai(
    role = "coordinator",
    model = "claude-sonnet-4-6",
    prompt = "Route requests.",
    routes(ScenarioPlanner, ScenarioExecutor, ProductInsights),
    approval(plans = "always", tools = "never")
)]
struct Coordinator;

/// `define_planner("scenario_planner", model="claude-sonnet-4-6", prompt="Draft a plan.",
/// plan=scenario_plan, toolkits=["catalog"])`
#[derive(Agent)]
#[flowai(
    role = "planner",
    model = "claude-sonnet-4-6",
    prompt = "Draft a plan.",
    plan = ScenarioPlan,
    toolkits("catalog")
)]
struct ScenarioPlanner;

/// `define_executor("scenario_executor", model="claude-sonnet-4-6", prompt="Execute the
/// approved plan.", plan=scenario_plan, max_turns=6)`
#[derive(Agent)]
#[flowai(
    role = "executor",
    model = "claude-sonnet-4-6",
    prompt = "Execute the approved plan.",
    plan = ScenarioPlan,
    max_turns = 6
)]
struct ScenarioExecutor;

/// `define_specialist("product_insights", model={"id": "gpt-4o", "provider":
/// "openai-compatible"}, prompt="Answer product questions.", tools=[search_products],
/// stateful=True, tool_approvals={"execute_query": "never"})`
#[derive(Agent)]
#[flowai(
    role = "specialist",
    model = "gpt-4o",
    provider = "openai-compatible",
    prompt = "Answer product questions.",
    tools(SearchProducts),
    tool_approvals(execute_query = "never"),
    stateful = true
)]
struct ProductInsights;

fn wire(spec: &AgentSpec) -> String {
    serde_json::to_string(spec).unwrap()
}

#[test]
fn coordinator_matches_define_coordinator() {
    assert_eq!(
        wire(&Coordinator::agent_spec()),
        r#"{"name":"coordinator","role":"coordinator","stateful":true,"model":{"id":"claude-sonnet-4-6","provider":null},"systemPrompt":"Route requests.","routes":["scenario_planner","scenario_executor","product_insights"],"toolkits":[]}"#
    );
    assert_eq!(
        Coordinator::approval(),
        Some(ApprovalPolicyPatch {
            plans: Some(ApprovalRule::Always),
            tools: Some(ApprovalRule::Never),
        })
    );
}

#[test]
fn planner_matches_define_planner() {
    assert_eq!(
        wire(&ScenarioPlanner::agent_spec()),
        r#"{"name":"scenario_planner","role":"planner","stateful":true,"model":{"id":"claude-sonnet-4-6","provider":null},"systemPrompt":"Draft a plan.","routes":[],"toolkits":["catalog"]}"#
    );
    let plan = ScenarioPlanner::plan().expect("a planner has a plan");
    assert_eq!(plan.name, "ScenarioPlan");
    assert_eq!(plan.schema["required"], json!(["actions", "rationale"]));
}

#[test]
fn executor_matches_define_executor() {
    assert_eq!(
        wire(&ScenarioExecutor::agent_spec()),
        r#"{"name":"scenario_executor","role":"executor","stateful":false,"model":{"id":"claude-sonnet-4-6","provider":null},"systemPrompt":"Execute the approved plan.","routes":[],"toolkits":[],"maxTurns":6}"#
    );
    assert_eq!(ScenarioExecutor::plan(), ScenarioPlanner::plan());
}

#[test]
fn specialist_matches_define_specialist() {
    assert_eq!(
        wire(&ProductInsights::agent_spec()),
        r#"{"name":"product_insights","role":"specialist","stateful":true,"model":{"id":"gpt-4o","provider":"openai-compatible"},"systemPrompt":"Answer product questions.","routes":[],"toolkits":[]}"#
    );
    assert_eq!(ProductInsights::ROLE, Role::Specialist);
    // `define_runtime` step 3: each tool's own rule, then `tool_approvals` (which win).
    assert_eq!(
        serde_json::to_value(ProductInsights::tool_rules()).unwrap(),
        json!({"execute_query": {"kind": "never"}, "search_products": {"kind": "always"}})
    );
}

#[test]
fn the_specs_read_back_as_the_same_agents() {
    for spec in [
        Coordinator::agent_spec(),
        ScenarioPlanner::agent_spec(),
        ScenarioExecutor::agent_spec(),
        ProductInsights::agent_spec(),
    ] {
        let back: AgentSpec = serde_json::from_str(&wire(&spec)).unwrap();
        assert_eq!(back, spec);
    }
}
