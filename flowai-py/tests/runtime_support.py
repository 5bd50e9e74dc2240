"""Specs and helpers shared by the runtime tests (not a test module)."""

from __future__ import annotations

import json
import re
from typing import Any

from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)

MODEL = "claude-sonnet-4-6"
PROVIDERS = {"anthropic": {"apiKey": "unused"}}
INV_ID = re.compile(r"^inv-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def script(*calls: tuple[str, Any]) -> str:
    """A scripted-interpreter prompt: one call, or a `script` of several."""
    if len(calls) == 1:
        tool, args = calls[0]
        return json.dumps({"tool": tool, "args": args})
    return json.dumps({"script": [{"tool": t, "args": a} for t, a in calls]})


def w1_runtime(handler: Any, **kwargs: Any):
    """W1 topology: coordinator -> product_insights with `search_products`."""
    search = define_tool("search_products", {"query": str}, description="Search products")(handler)
    coordinator = define_coordinator(
        "coordinator", model=MODEL, prompt="Route product questions.", routes=["product_insights"]
    )
    specialist = define_specialist(
        "product_insights", model=MODEL, prompt="Answer product questions.", tools=[search]
    )
    spec = define_runtime(
        define_tenant("acme", "v1"), agents=[coordinator, specialist], providers=PROVIDERS
    )
    kwargs.setdefault("interpreter", "scripted")
    return create_runtime(spec, **kwargs)


W1_PROMPT = script(
    (
        "call_agent",
        {"agent": "product_insights", "prompt": script(("search_products", {"query": "SKU-1"}))},
    )
)


async def collect(stream) -> list[dict]:
    return [event async for event in stream]


def summary(events: list[dict]) -> list[tuple]:
    """A compact, comparable view of an event sequence."""
    rows = []
    for e in events:
        t = e["type"]
        if t == "tool-agent":
            rows.append((t, e["state"], e["agentName"], e["toolInvocationId"]))
        elif t == "tool-invocation":
            rows.append((t, e["state"], e["toolName"], e["toolInvocationId"]))
        elif t in ("text", "error"):
            rows.append((t, e.get("text", e.get("error"))))
        else:
            rows.append((t,))
    return rows
