"""W2 of WORKLOADS.md through Python: W1 with `search_products` gated (`approval="always"`).

Each run pauses at `approval-required`; the benchmark approves it and the run finishes.
Measures per-run time (2,000 sequential runs after 200 warm-ups) and the memory held by
10,000 runs paused at the approval at once: (peak RSS with them paused - RSS before) / 10,000.

Usage: python bench/w2.py [--sequential N] [--paused N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time

from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)

MODEL = "claude-sonnet-4-6"
SPECIALIST_SCRIPT = json.dumps({"tool": "search_products", "args": {"query": "What is the price of SKU-1?"}})
PROMPT = json.dumps({"tool": "call_agent", "args": {"agent": "product_insights", "prompt": SPECIALIST_SCRIPT}})


def build_runtime(storage_factories=None):
    search = define_tool("search_products", {"query": str}, approval="always")(
        lambda args, ctx: {"sku": "SKU-1", "price": 9.99}
    )
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


async def one_run(runtime, thread_id: str) -> int:
    n = 0
    async for event in runtime.query(PROMPT, thread_id=thread_id):
        n += 1
        if event["type"] == "approval-required":
            await runtime.respond_to_approval(event["data"]["id"], "approve")
    return n


async def sequential(runtime, warmup: int, runs: int) -> dict:
    for _ in range(warmup):
        await one_run(runtime, "warm")
    samples = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        t0 = clock()
        await one_run(runtime, "seq")
        samples.append((clock() - t0) / 1000)
    samples.sort()
    return {"median_us": round(statistics.median(samples), 2), "p99_us": round(samples[int(len(samples) * 0.99) - 1], 2), "runs": runs}


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


async def paused(runtime, count: int) -> dict:
    before = rss_kib()
    streams, ids = [], []
    for i in range(count):
        stream = runtime.query(PROMPT, thread_id=f"p{i}")
        async for event in stream:
            if event["type"] == "approval-required":
                ids.append(event["data"]["id"])
                break
        streams.append(stream)
    peak = max(rss_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    held = rss_kib() - before
    for stream, approval_id in zip(streams, ids):
        await runtime.respond_to_approval(approval_id, "approve")
        async for _ in stream:
            pass
    return {"paused": count, "kib_per_paused_run": round(held / count, 2), "peak_rss_kib": peak}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--paused", type=int, default=10000)
    args = parser.parse_args()
    runtime = build_runtime()
    result = {
        "workload": "W2 through Python",
        "sequential": asyncio.run(sequential(runtime, args.warmup, args.sequential)),
        "memory": asyncio.run(paused(build_runtime(), args.paused)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
