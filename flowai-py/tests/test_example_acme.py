"""The Acme example (examples/python/acme.py): plan -> approve -> execute, reject, revise,
and the tagged-union plan schema enforced by storePlan."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples" / "python"))
import acme  # noqa: E402

from runtime_support import collect  # noqa: E402


def results(events, tool):
    return [e["result"] for e in events if e.get("toolName") == tool and e["state"] == "result"]


@pytest.mark.asyncio
async def test_approve_applies_both_actions_once():
    events, dispatched = await acme.run_flow("approve")
    assert [a["kind"] for a in dispatched] == ["price_change", "promotion_launch"]
    executed = results(events, "executePlan")[0]
    assert executed["entitiesAffected"] == 2
    assert executed["details"]["catalog"]["SKU-1"]["price"] == 8.49
    assert executed["details"]["catalog"]["SKU-2"]["promotion"] == 15
    assert [a["type"] for a in executed["resolvedActions"]] == ["price_change", "promotion_launch"]
    assert results(events, "search_products")[0] == {"SKU-1": {"name": "Tea", "price": 9.99}}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("outcome", "extra", "expected"),
    [
        ("reject", {"feedback": "too deep"}, {"error": "Plan acme-plan-1 rejected: too deep"}),
        ("revise", {"partial": {"max_discount": 10}}, {"partial": {"max_discount": 10}, "plan_id": "acme-plan-1", "rejected": True, "should_revise": True}),
    ],
)
async def test_reject_and_revise_dispatch_nothing(outcome, extra, expected):
    events, dispatched = await acme.run_flow(outcome, **extra)
    assert dispatched == []
    assert results(events, "executePlan") == [expected]


@pytest.mark.asyncio
async def test_the_tagged_union_rejects_an_unknown_action_kind():
    runtime = acme.build_runtime([])
    body = {"goal": "g", "actions": [{"kind": "delete_everything", "sku": "SKU-1"}]}
    store = json.dumps({"tool": "storePlan", "args": {"specName": "AcmePlan", "planId": "p", "body": body}})
    prompt = json.dumps({"tool": "call_agent", "args": {"agent": "acme_planner", "prompt": store}})
    events = await collect(runtime.query(prompt, thread_id="t"))
    error = results(events, "storePlan")[0]["error"]
    assert error.startswith("schema validation failed for spec 'AcmePlan': [")


def test_python_and_rust_build_the_same_wire_spec():
    # examples/acme.spec.json is what the Rust example's derives produce (examples/tests/acme.rs
    # asserts it); define_runtime must give exactly the same JSON, prompts and schema included.
    golden = json.loads((pathlib.Path(__file__).resolve().parents[2] / "examples" / "acme.spec.json").read_text())
    assert acme.build_spec().model_dump(by_alias=True, mode="json") == golden
