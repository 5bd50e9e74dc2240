"""Run journal, list_runs/run_events, list_approvals and resume within one process
(issue 6 §2-§3). The same flows across processes on SQLite and Postgres are in
test_durable_processes.py."""

from __future__ import annotations

import asyncio

import pytest
from flowai_harness import create_runtime, define_runtime, define_specialist, define_tenant, define_tool
from flowai_harness.runs import follow_run
from runtime_support import MODEL, PROVIDERS, collect, script


def charging_runtime(calls, **kwargs):
    @define_tool("charge", {"cents": int}, approval="always")
    def charge(args, ctx):
        calls.append(args["cents"])
        return {"charged": args["cents"]}

    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[define_specialist("billing", model=MODEL, prompt="Bill.", tools=[charge])],
        providers=PROVIDERS,
    )
    return create_runtime(spec, interpreter="scripted", **kwargs)


async def until(stream, kind):
    seen = []
    async for event in stream:
        seen.append(event)
        if event["type"] == kind:
            return seen
    raise AssertionError(f"no {kind} in {seen}")


def journal(runtime, run_id):
    items = runtime.run_events(run_id)
    assert [i["seq"] for i in items] == list(range(1, len(items) + 1))
    return [i["event"] for i in items]


@pytest.mark.asyncio
async def test_a_dropped_paused_run_is_listed_approved_and_resumed():
    calls = []
    runtime = charging_runtime(calls)
    stream = runtime.run_specialist("billing", script(("charge", {"cents": 500})), thread_id="t1")
    run_id = stream.run_id
    before = await until(stream, "approval-required")
    assert before[-1]["data"]["runId"] == run_id
    del stream  # the consumer goes away; the run stays paused

    [run] = runtime.list_runs()
    assert run["runId"] == run_id and run["status"] == "paused"
    assert run["threadId"] == "t1" and run["agent"] == "billing" and run["entry"] == "specialist"
    [approval] = runtime.list_approvals()
    assert approval == {
        "id": before[-1]["data"]["id"],
        "kind": "tool",
        "payload": {"cents": 500},
        "runId": run_id,
        "target": "charge",
        "threadId": "t1",
    }
    await runtime.respond_to_approval(approval["id"], "approve")
    assert calls == []
    after = await collect(runtime.query("ignored on resume", thread_id="t1", resume=run_id))
    assert after[0]["type"] == "approval-decision"
    assert calls == [500]
    assert journal(runtime, run_id) == before + after
    assert runtime.run_info(run_id)["status"] == "completed"
    assert runtime.list_approvals() == []
    with pytest.raises(ValueError, match="approval already resolved"):
        await runtime.respond_to_approval(approval["id"], "reject")


@pytest.mark.asyncio
async def test_journal_reads_filters_and_errors():
    calls = []
    runtime = charging_runtime(calls)
    assert runtime.run_info("nope") is None
    assert runtime.run_events("nope") == []
    [error] = await collect(runtime.query("x", thread_id="t", resume="nope"))
    assert error == {"error": {"message": "run not found: nope"}, "type": "error"}
    stream = runtime.run_specialist("billing", script(("charge", {"cents": 1})), thread_id="t2")
    async for event in stream:
        if event["type"] == "approval-required":
            await runtime.respond_to_approval(event["data"]["id"], "reject", feedback="no")
    [done] = runtime.list_runs(thread_id="t2")
    assert done["status"] == "completed"
    assert runtime.list_runs(status="paused") == []
    assert runtime.list_runs(thread_id="other") == []
    with pytest.raises(ValueError, match="status must be one of running, paused"):
        runtime.list_runs(status="bogus")
    events = journal(runtime, done["runId"])
    tail = runtime.run_events(done["runId"], after=len(events) - 2)
    assert [i["seq"] for i in tail] == [len(events) - 1, len(events)]
    [again] = await collect(runtime.query("x", thread_id="t2", resume=done["runId"]))
    assert "is completed; only running or paused runs can be resumed" in again["error"]["message"]


def follow_in_background(runtime, run_id):
    """A task following ``run_id``; the list it fills as items arrive."""
    followed = []

    async def follower():
        async for item in follow_run(runtime, run_id, poll_interval=0.01):
            followed.append(item)

    return followed, asyncio.create_task(follower())


@pytest.mark.asyncio
async def test_follow_run_sees_what_the_driving_consumer_sees():
    calls = []
    runtime = charging_runtime(calls)
    stream = runtime.run_specialist("billing", script(("charge", {"cents": 7})), thread_id="t")
    seen = await until(stream, "approval-required")
    followed, task = follow_in_background(runtime, stream.run_id)
    await asyncio.sleep(0.05)
    assert [i["event"] for i in followed] == seen
    await runtime.respond_to_approval(seen[-1]["data"]["id"], "approve")
    seen += await collect(stream)
    await asyncio.wait_for(task, 5)
    assert [i["event"] for i in followed] == seen
    with pytest.raises(ValueError, match="run not found: nope"):
        async for _ in follow_run(runtime, "nope"):
            pass


@pytest.mark.asyncio
async def test_follow_run_waits_for_a_run_whose_stream_was_not_read_yet():
    calls = []
    runtime = charging_runtime(calls)
    stream = runtime.run_specialist("billing", script(("charge", {"cents": 3})), thread_id="t")
    # Nothing ran yet: the store does not know the run, this runtime does.
    assert runtime.run_info(stream.run_id) is None
    assert runtime.run_is_starting(stream.run_id)
    followed, task = follow_in_background(runtime, stream.run_id)
    await asyncio.sleep(0.05)
    assert not task.done() and followed == []
    seen = await until(stream, "approval-required")
    assert not runtime.run_is_starting(stream.run_id)
    await runtime.respond_to_approval(seen[-1]["data"]["id"], "approve")
    seen += await collect(stream)
    await asyncio.wait_for(task, 5)
    assert [i["event"] for i in followed] == seen
    assert calls == [3]


def test_idempotent_is_host_side_only():
    @define_tool("lookup", {"sku": str}, idempotent=True)
    def lookup(args, ctx):
        return {}

    assert lookup.idempotent is True
    assert "idempotent" not in lookup.model_dump(by_alias=True)
    assert define_tool("plain", {"sku": str}).idempotent is False


@pytest.mark.asyncio
async def test_an_interrupted_idempotent_call_runs_again_on_resume(tmp_path):
    release = asyncio.Event()
    calls = []

    def runtime(hang):
        @define_tool("lookup", {"sku": str}, idempotent=True)
        async def lookup(args, ctx):
            calls.append(hang)
            if hang:
                await release.wait()
            return {"found": args["sku"]}

        spec = define_runtime(
            define_tenant("acme", "v1"),
            agents=[define_specialist("finder", model=MODEL, prompt="Find.", tools=[lookup])],
            providers=PROVIDERS,
            storage_factories={"kv": {"kind": "sqlite", "config": {"path": str(tmp_path / "s.db")}}},
        )
        return create_runtime(spec, interpreter="scripted")

    first = runtime(True)
    stream = first.run_specialist("finder", script(("lookup", {"sku": "A-1"})), thread_id="t")
    run_id = stream.run_id
    await until(stream, "tool-invocation")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(stream.__anext__(), 0.2)
    del stream, first  # the "process" dies inside the call
    # A non-idempotent call would wait at an in-doubt approval here instead.
    rest = await asyncio.wait_for(collect(runtime(False).query("", thread_id="t", resume=run_id)), 10)
    assert calls == [True, False]
    assert not [e for e in rest if e["type"] in ("data-tool-in-doubt", "approval-required")]
    assert any(e.get("result") == {"found": "A-1"} for e in rest)
    release.set()
