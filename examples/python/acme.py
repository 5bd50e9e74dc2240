"""The Acme scenario: a coordinator routes to a product specialist, a planner and an
executor. The planner drafts a typed plan whose actions are a tagged union of
`price_change` and `promotion_launch`; the executor runs it through the plan approval
gate; the action dispatcher applies approved actions to an in-memory catalog.

The model's decisions come from the `scripted` interpreter, so it runs offline:
    python examples/python/acme.py
"""

from __future__ import annotations

import asyncio
import json
import pathlib
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from flowai_harness import (
    TaggedUnion,
    create_runtime,
    define_coordinator,
    define_executor,
    define_plan,
    define_planner,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)

MODEL = "claude-sonnet-4-6"
CATALOG = {"SKU-1": {"name": "Tea", "price": 9.99}, "SKU-2": {"name": "Coffee", "price": 12.5}}


class PriceChange(BaseModel):
    kind: Literal["price_change"]
    sku: str
    new_price: float


class PromotionLaunch(BaseModel):
    kind: Literal["promotion_launch"]
    sku: str
    discount_percent: int


AcmeAction = TaggedUnion(PriceChange, PromotionLaunch)

# The plan's JSON Schema is the one the Rust example derives (`#[derive(Plan)]` on
# `AcmePlan`), so both front ends build the very same wire spec (`acme.spec.json`).
PLAN_SCHEMA = json.loads((pathlib.Path(__file__).parent.parent / "acme_plan.schema.json").read_text())


@define_tool("search_products", {"query": str}, description="Find catalog products by SKU or name.")
def search_products(args: dict[str, Any], ctx: Any) -> dict[str, Any]:
    catalog = ctx["catalog"]
    return {sku: item for sku, item in catalog.items() if args["query"] in (sku, item["name"])}


def build_spec():
    """The Acme `RuntimeSpec` (the same wire JSON as the Rust example's)."""
    plan = define_plan("AcmePlan", PLAN_SCHEMA)
    agents = [
        define_coordinator(
            "acme_coordinator", model=MODEL, prompt="Route pricing work.",
            routes=["product_specialist", "acme_planner", "acme_executor"],
        ),
        define_specialist("product_specialist", model=MODEL, prompt="Answer product questions.", tools=[search_products]),
        define_planner("acme_planner", model=MODEL, prompt="Draft pricing plans.", plan=plan),
        define_executor("acme_executor", model=MODEL, prompt="Execute approved plans.", plan=plan),
    ]
    return define_runtime(define_tenant("acme", "v1"), agents=agents, providers={"anthropic": {"apiKey": "unused"}})


def build_runtime(dispatched: list[Any], catalog: dict[str, Any] | None = None):
    """The Acme runtime; `dispatched` collects every action the dispatcher applied."""
    catalog = catalog if catalog is not None else json.loads(json.dumps(CATALOG))
    spec = build_spec()
    adapter = TypeAdapter(AcmeAction)

    def dispatcher(actions: list[dict[str, Any]], ctx: dict[str, Any]) -> dict[str, Any]:
        for action in actions:
            typed = adapter.validate_python({"kind": action["kind"], **action["payload"]})
            if isinstance(typed, PriceChange):
                catalog[typed.sku]["price"] = typed.new_price
            else:
                catalog[typed.sku]["promotion"] = typed.discount_percent
            dispatched.append(action)
        return {"entitiesAffected": len(actions), "summary": f"applied {len(actions)} actions", "details": {"catalog": catalog}}

    return create_runtime(spec, interpreter="scripted", services={"catalog": catalog}, action_dispatcher=dispatcher)


PLAN_BODY = {
    "goal": "Spring pricing",
    "actions": [
        {"kind": "price_change", "sku": "SKU-1", "new_price": 8.49},
        {"kind": "promotion_launch", "sku": "SKU-2", "discount_percent": 15},
    ],
}


def script(*calls: tuple[str, Any]) -> str:
    return json.dumps({"script": [{"tool": t, "args": a} for t, a in calls]})


def acme_prompt(plan_id: str = "acme-plan-1") -> str:
    """Coordinator script: look the product up, draft the plan, execute it."""
    return script(
        ("call_agent", {"agent": "product_specialist", "prompt": script(("search_products", {"query": "SKU-1"}))}),
        ("call_agent", {"agent": "acme_planner", "prompt": script(("storePlan", {"specName": "AcmePlan", "planId": plan_id, "body": PLAN_BODY}))}),
        ("call_agent", {"agent": "acme_executor", "prompt": script(("executePlan", {"planId": plan_id}))}),
    )


async def run_flow(outcome: str, **respond: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """Runs the scenario, answering the plan gate with `outcome`; returns events and actions."""
    dispatched: list[Any] = []
    runtime = build_runtime(dispatched)
    events = []
    async for event in runtime.query(acme_prompt(), thread_id="acme-thread"):
        events.append(event)
        if event["type"] == "approval-required":
            await runtime.respond_to_approval(event["data"]["id"], outcome, **respond)
    return events, dispatched


def describe(event: dict[str, Any]) -> str | None:
    t = event["type"]
    if t == "tool-agent" and event["state"] == "call":
        return f"agent call: {event['agentName']}"
    if t == "tool-invocation" and event["state"] == "result" and event["toolName"] != "call_agent":
        return f"tool result: {event['toolName']} -> {json.dumps(event['result'])[:90]}"
    if t == "approval-required":
        return f"approval required: {event['data']['kind']} {event['data']['target']}"
    if t == "approval-decision":
        return f"approval decision: {event['data']['outcome']}"
    if t == "plan-status-change":
        return f"plan {event['data']['planId']}: {event['data']['from']} -> {event['data']['to']}"
    return None


async def main() -> None:
    for outcome, extra in [("approve", {}), ("reject", {"feedback": "too deep a discount"}), ("revise", {"partial": {"max_discount": 10}})]:
        print(f"== {outcome}")
        events, dispatched = await run_flow(outcome, **extra)
        for line in filter(None, map(describe, events)):
            print(line)
        print(f"dispatched actions: {len(dispatched)}")


if __name__ == "__main__":
    asyncio.run(main())
