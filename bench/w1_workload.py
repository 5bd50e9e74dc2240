"""The W1 workload alone (runtime, prompt, one run), importing nothing but flowai_harness,
so the cold-start measurement times flowai and not the benchmark's own tooling."""

from __future__ import annotations

import json

from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)

MODEL = "claude-sonnet-4-6"


def search_products(args, ctx):
    return {"sku": "SKU-1", "price": 9.99}


def build_runtime(storage_factories=None):
    search = define_tool("search_products", {"query": str}, description="Search products")(search_products)
    spec = define_runtime(
        define_tenant("bench", "v1"),
        agents=[
            define_coordinator("coordinator", model=MODEL, prompt="Route.", routes=["product_insights"]),
            define_specialist("product_insights", model=MODEL, prompt="Answer.", tools=[search]),
        ],
        providers={"anthropic": {"apiKey": "unused"}},
        storage_factories=storage_factories,
    )
    return create_runtime(spec, interpreter="scripted")


SPECIALIST_SCRIPT = json.dumps({"tool": "search_products", "args": {"query": "What is the price of SKU-1?"}})
PROMPT = json.dumps({"tool": "call_agent", "args": {"agent": "product_insights", "prompt": SPECIALIST_SCRIPT}})


async def one_run(runtime, thread_id: str) -> int:
    n = 0
    async for _event in runtime.query(PROMPT, thread_id=thread_id):
        n += 1
    return n
