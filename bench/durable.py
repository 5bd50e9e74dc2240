"""W1 and W2 through Python with durable storage, against memory, in one process.

For each store (memory; SQLite on a fresh file in a temp dir; Postgres when
FLOWAI_TEST_PG_URL or --pg-url is set) runs W1 and W2 sequentially (warm-ups, then N
timed runs) and prints median and p99 per run plus the ratio to memory. Machines here
are noisy: compare the ratios of one run, not figures across runs.

Usage: python bench/durable.py [--sequential N] [--warmup N] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile

import w1
import w1_workload
import w2


def stores(tmp: str, pg_url: str | None) -> dict:
    out = {
        "memory": None,
        "sqlite": {"kv": {"kind": "sqlite", "config": {"path": os.path.join(tmp, "bench.db")}}},
    }
    if pg_url:
        out["postgres"] = {"kv": {"kind": "postgres", "config": {"url": pg_url}}}
    return out


async def measure(warmup: int, runs: int, pg_url: str | None) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, factories in stores(tmp, pg_url).items():
            w1_rt = w1_workload.build_runtime(factories)
            w2_rt = w2.build_runtime(factories)
            results[name] = {
                "w1": await w1.sequential(w1_rt, warmup, runs),
                "w2": await w2.sequential(w2_rt, warmup, runs),
            }
    base = results["memory"]
    for name, r in results.items():
        for w in ("w1", "w2"):
            r[w]["x_memory"] = round(r[w]["median_us"] / base[w]["median_us"], 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--pg-url", default=os.environ.get("FLOWAI_TEST_PG_URL"))
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.warmup, args.sequential, args.pg_url)), indent=2))


if __name__ == "__main__":
    main()
