"""Tool approval gates (events.md §3.3/§4.4, runtime-behavior §9) and respond_to_approval."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from flowai_harness import create_runtime, define_runtime, define_specialist, define_tenant, define_tool
from plan_support import flow_prompt, plan_runtime
from runtime_support import MODEL, PROVIDERS, collect


def gated_runtime(approval, calls, **kwargs):
    @define_tool("echo", {"value": str}, approval=approval)
    def echo(args, ctx):
        calls.append(args)
        return {"echo": args["value"]}

    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[define_specialist("worker", model=MODEL, prompt="Echo.", tools=[echo])],
        providers=PROVIDERS,
    )
    return create_runtime(spec, interpreter="scripted", **kwargs)


PROMPT = json.dumps({"tool": "echo", "args": {"value": "hello"}})


async def run_gate(runtime, outcome, calls, **respond):
    events = []
    async for event in runtime.run_specialist("worker", PROMPT, thread_id="thread-1"):
        events.append(event)
        if event["type"] == "approval-required":
            assert calls == []  # the handler never runs before a decision
            await runtime.respond_to_approval(event["data"]["id"], outcome, **respond)
    return events


@pytest.mark.asyncio
async def test_always_gated_tool_runs_only_after_approve():
    calls = []
    runtime = gated_runtime("always", calls)
    events = await run_gate(runtime, "approve", calls)
    types = [e["type"] for e in events]
    assert types[1:8] == ["step-start", "tool-invocation", "approval-required", "approval-decision", "tool-invocation", "text", "finish"]
    required = events[3]["data"]
    assert re.fullmatch(r"[0-9a-f-]{36}", required["id"])
    assert required == {
        "correlationId": "scripted-tool-1",
        "id": required["id"],
        "kind": "tool",
        "payload": {"value": "hello"},
        "resourceId": "acme",
        "runId": required["runId"],
        "target": "echo",
        "threadId": "thread-1",
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", required["runId"])
    assert events[4]["data"] == {"id": required["id"], "outcome": {"outcome": "approve"}}
    assert events[5]["result"] == {"echo": "hello"}
    assert calls == [{"value": "hello"}]


@pytest.mark.asyncio
@pytest.mark.parametrize(("outcome", "extra"), [("reject", {"feedback": "not today"}), ("revise", {"partial": {"x": 1}})])
async def test_reject_and_revise_skip_the_handler(outcome, extra):
    calls = []
    events = await run_gate(gated_runtime("always", calls), outcome, calls, **extra)
    result = next(e for e in events if e["type"] == "tool-invocation" and e["state"] == "result")
    reason = extra.get("feedback", "Approval rejected")
    assert result["result"] == {"do_not_retry": True, "error": "approval_rejected", "reason": reason, "rejected": True}
    assert calls == []
    assert "text" not in [e["type"] for e in events[5:-2]]  # an error result is not echoed


@pytest.mark.asyncio
async def test_dynamic_predicate_is_called_once_with_args_and_ctx():
    seen = []

    def big(args, ctx):
        seen.append((args, ctx))
        return args["value"] == "hello"

    calls = []
    runtime = gated_runtime(big, calls)
    events = await run_gate(runtime, "approve", calls)
    assert seen == [({"value": "hello"}, {"kind": "tool", "target": "echo", "tenant": "acme"})]
    assert "approval-required" in [e["type"] for e in events]
    calls.clear()
    seen.clear()
    events = await collect(runtime.run_specialist("worker", json.dumps({"tool": "echo", "args": {"value": "small"}})))
    assert "approval-required" not in [e["type"] for e in events] and calls == [{"value": "small"}]


@pytest.mark.asyncio
async def test_a_failing_predicate_fails_closed(capfd):
    def broken(args, ctx):
        raise RuntimeError("no data")

    calls = []
    events = await run_gate(gated_runtime(broken, calls), "approve", calls)
    assert "approval-required" in [e["type"] for e in events]
    assert "no data" in capfd.readouterr().err


@pytest.mark.asyncio
async def test_respond_to_approval_errors():
    runtime = gated_runtime("always", [])
    with pytest.raises(ValueError, match=re.escape("approval outcome must be approve, reject, or revise; got yes")):
        runtime.respond_to_approval("x", "yes")
    with pytest.raises(ValueError, match=re.escape("approval not found: nope")):
        await runtime.respond_to_approval("nope", "approve")
    stream = runtime.run_specialist("worker", PROMPT, thread_id="t")
    async for event in stream:
        if event["type"] == "approval-required":
            approval_id = event["data"]["id"]
            await runtime.respond_to_approval(approval_id, "approve")
            with pytest.raises(ValueError, match=re.escape(f"approval already resolved: {approval_id}")):
                await runtime.respond_to_approval(approval_id, "reject")


@pytest.mark.asyncio
async def test_each_attempt_gets_a_fresh_id_and_cancel_expires_the_gate():
    runtime = gated_runtime("always", [])
    ids = set()
    for _ in range(2):
        events = await run_gate(runtime, "reject", [])
        ids.add(next(e for e in events if e["type"] == "approval-required")["data"]["id"])
    assert len(ids) == 2

    stream = runtime.run_specialist("worker", PROMPT, thread_id="t")
    events = []
    async for event in stream:
        events.append(event)
        if event["type"] == "approval-required":
            pending = event["data"]["id"]
            stream.cancel()
    result = next(e for e in events if e["type"] == "tool-invocation" and e["state"] == "result")
    assert result["result"] == {"error": "Cancelled while awaiting approval"}
    with pytest.raises(ValueError, match=re.escape(f"approval already resolved: {pending}")):
        await runtime.respond_to_approval(pending, "approve")


@pytest.mark.asyncio
async def test_a_decision_from_another_task_resumes_a_parked_run():
    runtime = plan_runtime(lambda actions, ctx: {"entitiesAffected": len(actions)})
    stream = runtime.query(flow_prompt(), thread_id="thread-1")
    ids: asyncio.Queue = asyncio.Queue()
    events = []

    async def consume():
        async for event in stream:
            events.append(event)
            if event["type"] == "approval-required":
                await ids.put(event["data"]["id"])

    task = asyncio.create_task(consume())
    approval_id = await asyncio.wait_for(ids.get(), 5)
    await asyncio.sleep(0.01)  # the consumer is parked waiting for the run
    await runtime.respond_to_approval(approval_id, "approve")
    await asyncio.wait_for(task, 5)
    result = next(e for e in events if e.get("toolName") == "executePlan" and e["state"] == "result")
    assert result["result"]["entitiesAffected"] == 2
