"""The engine end to end through Python: the documented sequences, event by event."""

from __future__ import annotations

import asyncio
import json

import flowai_harness
import pytest
from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)
from runtime_support import INV_ID, MODEL, PROVIDERS, W1_PROMPT, collect, script, summary, w1_runtime

ZERO_USAGE = {
    "cacheCreationInputTokens": 0,
    "cacheReadInputTokens": 0,
    "completionTokens": 0,
    "promptTokens": 0,
    "totalTokens": 0,
}


def hello_runtime():
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[
            define_coordinator("hello_coordinator", model=MODEL, prompt="Greet.", routes=["greeter"]),
            define_specialist("greeter", model=MODEL, prompt="Say hello."),
        ],
        providers=PROVIDERS,
    )
    testing = flowai_harness.TestingConfig(mock_response="hello from the Rust runtime")
    return create_runtime(spec, testing=testing)


@pytest.mark.asyncio
async def test_hello_world_is_exactly_the_documented_stream():
    events = await collect(hello_runtime().query("Say hello", thread_id="thread-1"))
    inv = events[0]["toolInvocationId"]
    assert INV_ID.match(inv)
    assert events == [
        {"agentName": "hello_coordinator", "state": "call", "toolInvocationId": inv, "type": "tool-agent"},
        {"type": "step-start"},
        {"text": "Received: Say hello\n\n", "type": "text"},
        {"text": "hello from the Rust runtime", "type": "text"},
        {
            "data": {
                "hadTimeout": False,
                "phases": {"llmCalls": 1, "llmTimeMs": 0, "subAgentTimeMs": 0, "toolTimeMs": 0},
                "retryCount": 0,
                "toolTimings": [],
                "totalDurationMs": 0,
            },
            "type": "data-latency-summary",
        },
        {
            "finishReason": "stop",
            "type": "finish",
            "usage": {
                "cacheCreationInputTokens": 0,
                "cacheReadInputTokens": 0,
                "completionTokens": 25,
                "promptTokens": 50,
                "totalTokens": 75,
            },
        },
        {"agentName": "hello_coordinator", "state": "result", "toolInvocationId": inv, "type": "tool-agent"},
    ]
    # Key order is part of the contract: printing shows sorted keys at every level.
    assert str(events[0]).startswith("{'agentName': 'hello_coordinator', 'state': 'call'")
    assert list(events[5]["usage"]) == sorted(events[5]["usage"])


@pytest.mark.asyncio
async def test_noop_interpreter_sequence():
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[
            define_coordinator("coordinator", model=MODEL, prompt="Route.", routes=["worker"]),
            define_specialist("worker", model=MODEL, prompt="Work."),
        ],
        providers=PROVIDERS,
    )
    events = await collect(create_runtime(spec).query("hello", thread_id="t"))
    assert [e["type"] for e in events] == ["tool-agent", "step-start", "finish", "tool-agent"]
    assert events[2] == {"finishReason": "stop", "type": "finish", "usage": ZERO_USAGE}


@pytest.mark.asyncio
async def test_scripted_single_tool_on_a_specialist():
    calls = []

    @define_tool("echo", {"value": str})
    def echo(args, ctx):
        calls.append((args, ctx["tool_use_id"]))
        return {"echo": args["value"]}

    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=[define_specialist("worker", model=MODEL, prompt="Echo.", tools=[echo])],
        providers=PROVIDERS,
    )
    runtime = create_runtime(spec, interpreter="scripted")
    prompt = json.dumps({"tool": "echo", "args": {"value": "hello"}})
    events = await collect(runtime.run_specialist("worker", prompt, thread_id="thread-1"))
    args = {"value": "hello"}
    assert events[1:-1] == [
        {"type": "step-start"},
        {"args": args, "state": "call", "toolInvocationId": "scripted-tool-1", "toolName": "echo", "type": "tool-invocation"},
        {
            "args": args,
            "result": {"echo": "hello"},
            "state": "result",
            "toolInvocationId": "scripted-tool-1",
            "toolName": "echo",
            "type": "tool-invocation",
        },
        {"text": '{"echo":"hello"}', "type": "text"},
        {"finishReason": "stop", "type": "finish", "usage": ZERO_USAGE},
    ]
    assert events[0]["agentName"] == "worker" and events[-1]["state"] == "result"
    assert calls == [({"value": "hello"}, "scripted-tool-1")]


@pytest.mark.asyncio
async def test_coordinator_routes_to_specialist_tool_event_by_event():
    seen = []

    def search(args, ctx):
        seen.append((args, ctx.tool_use_id, ctx["services"]))
        return {"sku": "SKU-1", "price": 9.99}

    runtime = w1_runtime(search, services={"db": "warehouse"})
    events = await collect(runtime.query(W1_PROMPT, thread_id="thread-1"))
    inv = events[0]["toolInvocationId"]
    assert summary(events) == [
        ("tool-agent", "call", "coordinator", inv),
        ("step-start",),
        ("tool-invocation", "call", "call_agent", "scripted-tool-1"),
        ("tool-agent", "call", "product_insights", "scripted-tool-1"),
        ("step-start",),
        ("tool-invocation", "call", "search_products", "scripted-tool-1"),
        ("tool-invocation", "result", "search_products", "scripted-tool-1"),
        ("text", '{"price":9.99,"sku":"SKU-1"}'),
        ("finish",),
        ("tool-agent", "result", "product_insights", "scripted-tool-1"),
        ("tool-invocation", "result", "call_agent", "scripted-tool-1"),
        ("text", '{"agent":"product_insights","model":"claude-sonnet-4-6","response":"{\\"price\\":9.99,\\"sku\\":\\"SKU-1\\"}"}'),
        ("finish",),
        ("tool-agent", "result", "coordinator", inv),
    ]
    assert events[10]["result"] == {
        "agent": "product_insights",
        "model": MODEL,
        "response": '{"price":9.99,"sku":"SKU-1"}',
    }
    assert seen == [({"query": "SKU-1"}, "scripted-tool-1", {"db": "warehouse"})]


@pytest.mark.asyncio
async def test_async_handlers_run_on_the_loop_and_sync_ones_inline():
    loops = []

    async def search(args, ctx):
        await asyncio.sleep(0.01)
        loops.append(asyncio.get_running_loop())
        return {"sku": args["query"], "price": 1.5}

    events = await collect(w1_runtime(search).query(W1_PROMPT, thread_id="t"))
    results = [e for e in events if e["type"] == "tool-invocation" and e["state"] == "result"]
    assert results[0]["result"] == {"price": 1.5, "sku": "SKU-1"}
    assert loops == [asyncio.get_running_loop()]


@pytest.mark.asyncio
async def test_handler_exceptions_become_tool_errors_and_the_run_goes_on():
    def boom(args, ctx):
        raise ValueError("boom")

    events = await collect(w1_runtime(boom).query(W1_PROMPT, thread_id="t"))
    result = [e for e in events if e.get("toolName") == "search_products" and e["state"] == "result"]
    assert result[0]["result"] == {"error": "ValueError: boom"}
    # No echo of an error result; both agents still finish.
    assert [e["type"] for e in events].count("finish") == 2
    assert events[-1]["type"] == "tool-agent" and events[-1]["state"] == "result"


@pytest.mark.asyncio
async def test_async_handler_exception_and_unserialisable_result():
    async def bad(args, ctx):
        raise KeyError("nope")

    def odd(args, ctx):
        return {"items": {1, 2}}

    for handler, message in [(bad, "KeyError: 'nope'"), (odd, "TypeError: Object of type set is not JSON serializable")]:
        events = await collect(w1_runtime(handler).query(W1_PROMPT, thread_id="t"))
        result = [e for e in events if e.get("toolName") == "search_products" and e["state"] == "result"]
        assert result[0]["result"] == {"error": message}


@pytest.mark.asyncio
async def test_reserved_result_keys_become_events():
    def card(args, ctx):
        return {"ok": True, "approvalDsl": "card: yes", "displaySummary": "Found it", "_cardEmitted": True}

    events = await collect(w1_runtime(card).query(W1_PROMPT, thread_id="t"))
    i = next(i for i, e in enumerate(events) if e.get("toolName") == "search_products" and e["state"] == "call")
    assert events[i + 1] == {"data": {"dsl": "card: yes"}, "type": "data-flow-ui"}
    assert events[i + 2] == {"text": "Found it", "type": "text"}
    assert events[i + 3]["result"] == {"ok": True}


@pytest.mark.asyncio
async def test_script_sequence_numbers_calls_and_unknown_tools_get_an_error_pair():
    runtime = w1_runtime(lambda args, ctx: {"q": args["query"]})
    inner = script(("search_products", {"query": "a"}), ("nope", {}), ("search_products", {"query": "b"}))
    prompt = script(("call_agent", {"agent": "product_insights", "prompt": inner}))
    events = await collect(runtime.query(prompt, thread_id="t"))
    pairs = [(e["toolName"], e["toolInvocationId"], e.get("result")) for e in events if e["type"] == "tool-invocation" and e["state"] == "result"]
    assert pairs[:3] == [
        ("search_products", "scripted-tool-1", {"q": "a"}),
        ("nope", "scripted-tool-2", {"error": "Unknown tool: nope"}),
        ("search_products", "scripted-tool-3", {"q": "b"}),
    ]
