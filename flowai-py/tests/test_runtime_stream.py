"""Stream object behaviors (events.md §5): consume once, cancel, hooks, cancel safety."""

from __future__ import annotations

import asyncio

import flowai_harness
import pytest
from flowai_harness import create_runtime, define_coordinator, define_runtime, define_specialist, define_tenant
from runtime_support import MODEL, PROVIDERS, W1_PROMPT, collect, summary, w1_runtime


def mock_runtime(**kwargs):
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[
            define_coordinator("coordinator", model=MODEL, prompt="Route.", routes=["worker"]),
            define_specialist("worker", model=MODEL, prompt="Work."),
        ],
        providers=PROVIDERS,
    )
    return create_runtime(spec, testing=flowai_harness.TestingConfig(mock_response="ok"), **kwargs)


@pytest.mark.asyncio
async def test_a_stream_is_consumed_once():
    stream = mock_runtime().query("hi", thread_id="t")
    first = await collect(stream)
    assert len(first) == 7
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()
    assert await collect(stream) == []


def test_an_exhausted_stream_yields_nothing_on_another_loop():
    stream = mock_runtime().query("hi", thread_id="t")
    assert len(asyncio.run(collect(stream))) == 7
    assert asyncio.run(collect(stream)) == []


@pytest.mark.asyncio
async def test_nothing_runs_before_the_first_anext():
    calls = []
    runtime = w1_runtime(lambda args, ctx: calls.append(args) or {"ok": True})
    stream = runtime.query(W1_PROMPT, thread_id="t")
    await asyncio.sleep(0.01)
    assert calls == []
    await collect(stream)
    assert calls == [{"query": "SKU-1"}]


@pytest.mark.asyncio
async def test_cancel_before_iteration_cancels_at_start():
    stream = mock_runtime().query("hi", thread_id="t")
    stream.cancel()
    stream.cancel()  # idempotent
    events = await collect(stream)
    assert summary(events)[1:] == [
        ("step-start",),
        ("error", {"message": "Request cancelled"}),
        ("error", {"message": "agent failed: Request cancelled"}),
    ]


@pytest.mark.asyncio
async def test_cancel_while_an_async_handler_waits_ends_the_run_promptly():
    started = asyncio.Event()

    async def slow(args, ctx):
        started.set()
        await asyncio.sleep(30)
        return {"never": True}

    stream = w1_runtime(slow).query(W1_PROMPT, thread_id="t")
    events = []

    async def consume():
        async for event in stream:
            events.append(event)

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 5)
    stream.cancel()
    await asyncio.wait_for(task, 5)
    results = {e["toolName"]: e["result"] for e in events if e["type"] == "tool-invocation" and e["state"] == "result"}
    assert results["search_products"] == {"error": "Cancelled"}
    assert results["call_agent"] == {"error": "Sub-agent invocation cancelled"}


@pytest.mark.asyncio
async def test_cancel_mid_stream_skips_tool_calls_that_have_not_started():
    calls = []
    runtime = w1_runtime(lambda args, ctx: calls.append(args) or {"ok": True})
    stream = runtime.query(W1_PROMPT, thread_id="t")
    seen = []
    async for event in stream:
        seen.append(event)
        if event.get("toolName") == "search_products" and event["state"] == "call":
            stream.cancel()
    assert calls == []
    tail = summary(seen)[6:]
    assert tail[0] == ("tool-invocation", "result", "search_products", "scripted-tool-1")
    assert seen[6]["result"] == {"error": "Cancelled"}
    assert ("error", {"message": "agent failed: Request cancelled"}) == tail[-1]


@pytest.mark.asyncio
async def test_breaking_out_of_the_loop_after_cancel_is_fine():
    stream = mock_runtime().query("hi", thread_id="t")
    async for event in stream:
        stream.cancel()
        break
    rest = await collect(stream)
    assert len(rest) <= 6
    assert (await collect(mock_runtime().query("hi", thread_id="t")))[3]["text"] == "ok"


@pytest.mark.asyncio
async def test_event_hooks_see_each_event_before_the_consumer():
    hooked = []
    events = await collect(mock_runtime(event_hooks=[hooked.append, lambda e: hooked.append("second")]).query("hi", thread_id="t"))
    assert hooked[0::2] == events
    assert all(h is e for h, e in zip(hooked[0::2], events))
    assert hooked[1::2] == ["second"] * 7


@pytest.mark.asyncio
async def test_a_hook_exception_is_raised_from_anext():
    def hook(event):
        if event["type"] == "text":
            raise RuntimeError("hook says no")

    stream = mock_runtime(event_hooks=[hook]).query("hi", thread_id="t")
    assert (await stream.__anext__())["type"] == "tool-agent"
    assert (await stream.__anext__())["type"] == "step-start"
    with pytest.raises(RuntimeError, match="hook says no"):
        await stream.__anext__()


@pytest.mark.asyncio
async def test_cancelling_a_pending_anext_loses_no_event():
    gate = asyncio.Event()

    async def waits(args, ctx):
        await gate.wait()
        return {"done": True}

    stream = w1_runtime(waits).query(W1_PROMPT, thread_id="t")
    events = []
    timeouts = 0
    while True:
        try:
            event = await asyncio.wait_for(stream.__anext__(), 0.02)
        except asyncio.TimeoutError:
            timeouts += 1
            gate.set()
            continue
        except StopAsyncIteration:
            break
        events.append(event)
    assert timeouts >= 1
    types = [(e["type"], e.get("toolName"), e.get("state")) for e in events]
    assert types.count(("tool-invocation", "search_products", "result")) == 1
    assert events[-1]["type"] == "tool-agent" and events[-1]["state"] == "result"
    results = [e for e in events if e.get("toolName") == "search_products" and e["state"] == "result"]
    assert results[0]["result"] == {"done": True}


@pytest.mark.asyncio
async def test_many_concurrent_runs_each_get_their_own_events():
    async def search(args, ctx):
        await asyncio.sleep(0)
        return {"sku": args["query"]}

    runtime = w1_runtime(search)
    runs = await asyncio.gather(*(collect(runtime.query(W1_PROMPT, thread_id=f"t{i}")) for i in range(50)))
    assert all(len(events) == 14 for events in runs)
    ids = {events[0]["toolInvocationId"] for events in runs}
    assert len(ids) == 50
