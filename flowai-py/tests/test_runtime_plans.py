"""Plans through the scripted interpreter (events.md §4.5, runtime-behavior §4 and §10)."""

from __future__ import annotations

import asyncio

import pytest
from flowai_harness import define_reference
from plan_support import BODY, flow_prompt, plan_runtime, store_script
from runtime_support import collect, script


def view(e: dict) -> tuple:
    t = e["type"]
    if t == "tool-agent":
        return (t, e["state"], e["agentName"], e["toolInvocationId"])
    if t == "tool-invocation":
        return (t, e["state"], e["toolName"], e["toolInvocationId"])
    if t == "plan-status-change":
        return (t, e["data"]["from"], e["data"]["to"])
    if t == "approval-required":
        return (t, e["data"]["kind"], e["data"]["target"], e["data"]["threadId"])
    if t == "approval-decision":
        return (t, e["data"]["outcome"]["outcome"])
    return (t,)


async def drive(runtime, outcome: str | None, **respond) -> tuple[list[dict], list]:
    events, approvals = [], []
    async for event in runtime.query(flow_prompt(), thread_id="thread-1"):
        events.append(event)
        if event["type"] == "approval-required":
            approvals.append(event["data"])
            await runtime.respond_to_approval(event["data"]["id"], outcome, **respond)
    return events, approvals


class Recorder:
    def __init__(self, result=None):
        self.calls = []
        self.result = result

    def __call__(self, actions, ctx):
        self.calls.append((actions, ctx))
        return self.result if self.result is not None else {"entitiesAffected": len(actions), "summary": f"{len(actions)} recorded"}


@pytest.mark.asyncio
async def test_plan_approval_flow_is_the_documented_sequence():
    dispatcher = Recorder()
    events, approvals = await drive(plan_runtime(dispatcher), "approve", feedback="approved by smoke test")
    inv = events[0]["toolInvocationId"]
    assert [view(e) for e in events] == [
        ("tool-agent", "call", "coordinator", inv),
        ("step-start",),
        ("tool-invocation", "call", "call_agent", "scripted-tool-1"),
        ("tool-agent", "call", "planner", "scripted-tool-1"),
        ("step-start",),
        ("tool-invocation", "call", "storePlan", "scripted-tool-1"),
        ("tool-invocation", "result", "storePlan", "scripted-tool-1"),
        ("text",),
        ("finish",),
        ("tool-agent", "result", "planner", "scripted-tool-1"),
        ("tool-invocation", "result", "call_agent", "scripted-tool-1"),
        ("text",),
        ("tool-invocation", "call", "call_agent", "scripted-tool-2"),
        ("tool-agent", "call", "executor", "scripted-tool-2"),
        ("step-start",),
        ("tool-invocation", "call", "executePlan", "scripted-tool-1"),
        ("approval-required", "plan", "demo-plan-1", "thread-1-executor"),
        ("plan-status-change", "draft", "pending_approval"),
        ("approval-decision", "approve"),
        ("plan-status-change", "pending_approval", "approved"),
        ("tool-invocation", "result", "executePlan", "scripted-tool-1"),
        ("text",),
        ("finish",),
        ("tool-agent", "result", "executor", "scripted-tool-2"),
        ("tool-invocation", "result", "call_agent", "scripted-tool-2"),
        ("text",),
        ("finish",),
        ("tool-agent", "result", "coordinator", inv),
    ]
    stored = events[6]["result"]
    assert stored["status"] == "draft" and stored["owner"] == "acme" and stored["id"] == "demo-plan-1"
    assert stored["context"] == {"goal": "count"}
    assert stored["actions"]["head"] == {"kind": "record_counter", "payload": {"message": "one"}, "references": []}
    assert len(stored["actions"]["tail"]) == 1
    assert stored["approvedAt"] is None and stored["outcome"] is None and stored["description"] is None
    request = approvals[0]
    assert request["correlationId"] == "demo-plan-1" and request["resourceId"] == "acme"
    assert request["payload"]["id"] == "demo-plan-1" and request["payload"]["status"] == "draft"
    assert events[18]["data"] == {"feedback": "approved by smoke test", "id": request["id"], "outcome": {"outcome": "approve"}}
    actions = [{"kind": "record_counter", "payload": {"message": m}, "references": []} for m in ("one", "two")]
    assert dispatcher.calls == [(actions, {"resolved_refs": {}})]
    resolved = [{"payload": {"message": m}, "type": "record_counter"} for m in ("one", "two")]
    assert events[20]["result"] == {
        "details": {"resolvedActions": resolved},
        "entitiesAffected": 2,
        "resolvedActions": resolved,
        "summary": "2 recorded",
    }


@pytest.mark.asyncio
async def test_reject_and_revise_keep_the_plan_a_draft():
    dispatcher = Recorder()
    events, _ = await drive(plan_runtime(dispatcher), "reject", feedback="do not execute")
    result = next(e for e in events if e.get("toolName") == "executePlan" and e["state"] == "result")
    assert result["result"] == {"error": "Plan demo-plan-1 rejected: do not execute"}
    assert ("plan-status-change", "pending_approval", "draft") in [view(e) for e in events]
    decision = next(e for e in events if e["type"] == "approval-decision")
    assert decision["data"]["outcome"] == {"outcome": "reject"} and decision["data"]["feedback"] == "do not execute"
    assert dispatcher.calls == []

    runtime = plan_runtime(dispatcher)
    events, _ = await drive(runtime, "revise", partial={"actions": []})
    result = next(e for e in events if e.get("toolName") == "executePlan" and e["state"] == "result")
    assert result["result"] == {"partial": {"actions": []}, "plan_id": "demo-plan-1", "rejected": True, "should_revise": True}
    i = events.index(result)
    assert events[i + 1]["type"] == "text"  # a successful result is echoed
    assert dispatcher.calls == []


@pytest.mark.asyncio
async def test_auto_approval_when_the_executor_plans_rule_is_never():
    dispatcher = Recorder()
    events, approvals = await drive(plan_runtime(dispatcher, executor_approval={"plans": "never"}), "approve")
    assert approvals == []
    views = [view(e) for e in events]
    i = views.index(("tool-invocation", "call", "executePlan", "scripted-tool-1"))
    assert views[i + 1] == ("plan-status-change", "draft", "approved")
    assert views[i + 2] == ("tool-invocation", "result", "executePlan", "scripted-tool-1")
    assert len(dispatcher.calls) == 1


@pytest.mark.asyncio
async def test_store_plan_errors():
    runtime = plan_runtime()
    cases = [
        ({"specName": "Nope", "planId": "p", "body": BODY}, "unknown plan spec: Nope"),
        ({"planId": "p", "body": BODY}, "Invalid input: missing field `specName`"),
        ({"specName": "DemoPlan", "planId": "p", "body": {"goal": 1, "actions": []}}, None),
        ({"specName": "DemoPlan", "planId": "p", "body": {"actions": []}}, "planner output for spec 'DemoPlan' produced an empty action sequence"),
    ]
    for args, message in cases:
        prompt = script(("call_agent", {"agent": "planner", "prompt": script(("storePlan", args))}))
        events = await collect(runtime.query(prompt, thread_id="t"))
        result = next(e for e in events if e.get("toolName") == "storePlan" and e["state"] == "result")["result"]
        if message is None:
            assert result["error"].startswith("schema validation failed for spec 'DemoPlan': [")
            assert "is not of type" in result["error"]
        else:
            assert result == {"error": message}


async def execute(runtime, plan_id="demo-plan-1"):
    prompt = script(("call_agent", {"agent": "executor", "prompt": script(("executePlan", {"planId": plan_id}))}))
    events = await collect(runtime.query(prompt, thread_id="t"))
    return next(e for e in events if e.get("toolName") == "executePlan" and e["state"] == "result")["result"]


async def store(runtime, body=None):
    await collect(runtime.query(script(("call_agent", {"agent": "planner", "prompt": store_script(body)})), thread_id="t"))


async def get_plan(runtime, plan_id="demo-plan-1"):
    prompt = script(("call_agent", {"agent": "executor", "prompt": script(("getPlan", {"planId": plan_id}))}))
    events = await collect(runtime.query(prompt, thread_id="t"))
    return next(e for e in events if e.get("toolName") == "getPlan" and e["state"] == "result")["result"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ([1], "action_dispatcher must return None or an object with required field `entitiesAffected`, optional `summary`, and optional `details`"),
        ({"entitiesAffected": 1, "rows": 3}, "action_dispatcher returned unexpected field `rows`; put domain-specific data under `details`"),
        ({"entitiesAffected": -1}, "action_dispatcher field `entitiesAffected` must be a non-negative integer"),
        ({"entitiesAffected": 1, "summary": 2}, "action_dispatcher field `summary` must be a string or null"),
    ],
)
async def test_dispatcher_return_violations_fail_the_plan(returned, message):
    runtime = plan_runtime(Recorder(returned), executor_approval={"plans": "never"})
    await store(runtime)
    assert await execute(runtime) == {"error": f"Dispatch failed: inner dispatcher failed: {message}"}
    plan = await get_plan(runtime)
    assert plan["status"] == "failed" and plan["outcome"]["message"] == f"inner dispatcher failed: {message}"
    assert await execute(runtime) == {"error": "Invalid plan state for execution: failed"}


@pytest.mark.asyncio
async def test_dispatcher_exceptions_async_dispatchers_and_exactly_once():
    def boom(actions, ctx):
        raise ValueError("warehouse down")

    runtime = plan_runtime(boom, executor_approval={"plans": "never"})
    await store(runtime)
    assert await execute(runtime) == {"error": "Dispatch failed: inner dispatcher failed: ValueError: warehouse down"}

    calls = []

    async def slow(actions, ctx):
        await asyncio.sleep(0.01)
        calls.append(len(actions))
        return None

    runtime = plan_runtime(slow, executor_approval={"plans": "never"})
    await store(runtime)
    result = await execute(runtime)
    assert result["entitiesAffected"] == 0 and result["summary"] is None and calls == [2]
    assert (await get_plan(runtime))["status"] == "executed"
    assert await execute(runtime) == {"error": "Invalid plan state for execution: executed"}
    assert calls == [2]


@pytest.mark.asyncio
async def test_missing_references_fail_the_plan_before_the_dispatcher():
    dispatcher = Recorder()
    runtime = plan_runtime(dispatcher, executor_approval={"plans": "never"}, references=[define_reference("ProductSet", {"ids": list[str]})])
    await store(runtime, {"actions": [{"kind": "k", "references": [{"kind": "ProductSet", "id": "abc"}]}]})
    assert await execute(runtime) == {"error": "Dispatch failed: reference required by plan is missing: kind=ProductSet id=abc"}
    assert dispatcher.calls == []
    assert (await get_plan(runtime))["status"] == "failed"
    assert await execute(runtime, "ghost") == {"error": "plan not found: ghost"}


@pytest.mark.asyncio
async def test_plan_references_are_hydrated_into_the_dispatcher_context():
    dispatcher = Recorder()
    runtime = plan_runtime(dispatcher, executor_approval={"plans": "never"}, references=[define_reference("ProductSet", {"ids": list[str]})])
    handle = await runtime.create_reference("ProductSet", {"ids": ["p1", "p2"]})
    ref = {"kind": "ProductSet", "id": handle["id"]}
    await store(runtime, {"actions": [{"kind": "a", "references": [ref]}, {"kind": "b", "references": [ref]}]})
    result = await execute(runtime)
    assert result["entitiesAffected"] == 2
    [(actions, ctx)] = dispatcher.calls
    assert ctx == {"resolved_refs": {"ProductSet": {handle["id"]: {"ids": ["p1", "p2"]}}}}
    assert actions[0]["references"] == [{"id": handle["id"], "kind": "ProductSet"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("gated", [False, True])
async def test_concurrent_execute_plan_dispatches_exactly_once(gated):
    calls = []

    async def slow(actions, ctx):
        calls.append(len(actions))
        await asyncio.sleep(0.02)
        return {"entitiesAffected": len(actions)}

    runtime = plan_runtime(slow, executor_approval=None if gated else {"plans": "never"})
    await store(runtime)
    prompt = script(("call_agent", {"agent": "executor", "prompt": script(("executePlan", {"planId": "demo-plan-1"}))}))

    async def one(thread):
        result = None
        async for event in runtime.query(prompt, thread_id=thread):
            if event["type"] == "approval-required":
                await runtime.respond_to_approval(event["data"]["id"], "approve")
            if event.get("toolName") == "executePlan" and event["state"] == "result":
                result = event["result"]
        return result

    results = await asyncio.gather(one("a"), one("b"))
    assert calls == [2]
    ok = [r for r in results if "entitiesAffected" in r]
    refused = [r for r in results if "error" in r]
    assert len(ok) == 1 and len(refused) == 1
    assert refused[0]["error"].startswith("Invalid plan state for execution: ")
