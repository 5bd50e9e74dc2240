"""W1 of WORKLOADS.md through Python: route, tool, answer.

A coordinator routes "What is the price of SKU-1?" to `product_insights` (`call_agent`),
which calls the Python tool `search_products`; the scripted interpreter makes the model's
decisions, so every microsecond measured is harness overhead. The whole stream is consumed.

Usage: python bench/w1.py [--sequential N] [--concurrent N] [--cold N]
Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time

from w1_workload import PROMPT, build_runtime, one_run  # noqa: F401


async def sequential(runtime, warmup: int, runs: int) -> dict:
    for i in range(warmup):
        await one_run(runtime, "warm")
    samples = []
    clock = time.perf_counter_ns
    for i in range(runs):
        t0 = clock()
        await one_run(runtime, "seq")
        samples.append((clock() - t0) / 1000)
    samples.sort()
    return {
        "median_us": round(statistics.median(samples), 2),
        "p99_us": round(samples[int(len(samples) * 0.99) - 1], 2),
        "runs": runs,
    }


async def concurrent(runtime, runs: int) -> dict:
    t0 = time.perf_counter()
    counts = await asyncio.gather(*(one_run(runtime, f"c{i}") for i in range(runs)))
    elapsed = time.perf_counter() - t0
    assert all(c == 14 for c in counts), set(counts)
    return {"runs": runs, "runs_per_s": round(runs / elapsed)}


COLD = """
import asyncio, sys, time
sys.path.insert(0, {path!r})
import w1_workload
asyncio.run(w1_workload.one_run(w1_workload.build_runtime(), "cold"))
print(time.monotonic_ns(), flush=True)
"""


def cold_start(samples: int) -> dict:
    """WORKLOADS.md (c): from process start to the first run finished, median of `samples`
    fresh processes. The child prints the system-wide monotonic clock (CLOCK_MONOTONIC, the
    same clock in every process) when its first run has finished, so the figure stops there;
    the interpreter's exit (~50 ms of garbage collection) is reported apart. The package's
    bytecode is compiled first, as `pip install` does, so no sample compiles source."""
    import compileall
    import os

    import flowai_harness

    compileall.compile_dir(os.path.dirname(flowai_harness.__file__), quiet=1)
    here = os.path.dirname(os.path.abspath(__file__))
    to_first_run, to_exit = [], []
    for _ in range(samples):
        t0 = time.monotonic_ns()
        out = subprocess.run([sys.executable, "-c", COLD.format(path=here)], capture_output=True, text=True, check=True)
        to_exit.append((time.monotonic_ns() - t0) / 1e6)
        to_first_run.append((int(out.stdout.strip()) - t0) / 1e6)
    return {
        "median_ms": round(statistics.median(to_first_run), 1),
        "process_exit_median_ms": round(statistics.median(to_exit), 1),
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--concurrent", type=int, default=5000)
    parser.add_argument("--cold", type=int, default=5)
    args = parser.parse_args()
    runtime = build_runtime()
    result = {
        "workload": "W1 through Python",
        "sequential": asyncio.run(sequential(runtime, args.warmup, args.sequential)),
        "concurrent": asyncio.run(concurrent(runtime, args.concurrent)),
        "cold_start": cold_start(args.cold),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
