//! Typed plans: [`Action`] (a `#[serde(tag = "kind")]` enum of what a plan may do) and
//! [`Plan`] (the body a planner stores: `actions` plus context fields).

use super::schema_of;
use crate::spec::{PlanDisplayAlias, PlanSpec};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The actions a plan may hold: an enum internally tagged by `kind`, each variant one
/// action kind. Derive it with [`#[derive(Action)]`](macro@crate::typed::Action).
///
/// # Examples
///
/// ```
/// use flowai::typed::Action;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Action)]
/// #[serde(tag = "kind", rename_all = "snake_case")]
/// enum Pricing {
///     PriceChange { sku: String, price: f64 },
///     #[serde(rename = "launch")]
///     PromotionLaunch { name: String },
/// }
///
/// assert_eq!(Pricing::KINDS, ["price_change", "launch"]);
/// let a: Pricing = serde_json::from_value(serde_json::json!({"kind": "launch", "name": "spring"})).unwrap();
/// assert_eq!(a.kind(), "launch");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plan action",
    label = "not an action",
    note = "derive it with `#[derive(flowai::typed::Action)]` on a `#[serde(tag = \"kind\")]` enum"
)]
pub trait Action: DeserializeOwned + JsonSchema {
    /// The `kind` of every variant, in declaration order.
    const KINDS: &'static [&'static str];

    /// The `kind` of this action.
    fn kind(&self) -> &'static str;

    /// The JSON Schema of one action.
    fn action_schema() -> Value {
        schema_of::<Self>()
    }
}

/// A plan body: a struct whose `actions: Vec<A>` field holds [`Action`]s; its other fields
/// are the plan context. Derive it with [`#[derive(Plan)]`](macro@crate::typed::Plan).
///
/// # Examples
///
/// ```
/// use flowai::typed::{Action, Plan};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Action)]
/// #[serde(tag = "kind", rename_all = "snake_case")]
/// enum Step { Notify { message: String } }
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, Plan)]
/// #[flowai(name = "DemoPlan", display_aliases(draft = "Waiting for review"))]
/// struct DemoPlan { actions: Vec<Step>, rationale: String }
///
/// let spec = DemoPlan::plan_spec();
/// assert_eq!(spec.name, "DemoPlan");
/// assert_eq!(spec.display_aliases[0].alias, "Waiting for review");
/// assert!(spec.schema["properties"]["actions"].is_object());
/// let plan: DemoPlan = serde_json::from_value(serde_json::json!({
///     "actions": [{"kind": "notify", "message": "hi"}], "rationale": "because"
/// })).unwrap();
/// assert_eq!(plan.actions()[0].kind(), "notify");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plan",
    label = "not a plan",
    note = "derive it with `#[derive(flowai::typed::Plan)]` on a struct with an `actions: Vec<A>` field"
)]
pub trait Plan: DeserializeOwned + JsonSchema {
    /// The action type.
    type Action: Action;
    /// The plan spec name (`specName` of `storePlan`).
    const NAME: &'static str;

    /// The plan's actions, in order.
    fn actions(&self) -> &[Self::Action];

    /// The JSON Schema of the whole body (schemars; `$defs` and `oneOf` kept).
    fn plan_schema() -> Value {
        schema_of::<Self>()
    }

    /// Display aliases of plan statuses (`display_aliases(draft = "...")`).
    fn display_aliases() -> Vec<PlanDisplayAlias> {
        Vec::new()
    }

    /// The wire `PlanSpec`, as `define_plan(name, schema, display_aliases)` builds it.
    fn plan_spec() -> PlanSpec {
        PlanSpec {
            name: Self::NAME.to_string(),
            schema: Self::plan_schema(),
            display_aliases: Self::display_aliases(),
        }
    }
}
