"""A program that uses flowai exits cleanly, every time, whatever is still alive at exit:
finished and concurrent runs, streams paused mid-way, runs blocked in an async tool, streams
never iterated, and an event loop left open. Each case runs in many fresh interpreters."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

PROGRAM = r'''
import asyncio, json, sys
sys.path.insert(0, {tests!r})
from runtime_support import W1_PROMPT, w1_runtime

hang = None

async def slow(args, ctx):
    await hang.wait()
    return {{"never": True}}

KEEP = []

async def consume(stream):
    async for _ in stream:
        pass

async def main():
    global hang
    hang = asyncio.Event()
    fast = w1_runtime(lambda args, ctx: {{"sku": "SKU-1", "price": 9.99}})
    blocked = w1_runtime(slow)
    await asyncio.gather(*(consume(fast.query(W1_PROMPT, thread_id=f"c{{i}}")) for i in range(20)))
    for i in range(10):
        s = fast.query(W1_PROMPT, thread_id=f"p{{i}}")
        await s.__anext__()
        await s.__anext__()
        KEEP.append(s)
    tasks = [asyncio.create_task(consume(blocked.query(W1_PROMPT, thread_id=f"b{{i}}"))) for i in range(5)]
    KEEP.extend(tasks)
    KEEP.append(fast.query(W1_PROMPT, thread_id="never-iterated"))
    KEEP.extend([fast, blocked])
    await asyncio.sleep(0.01)

mode = {mode!r}
if mode == "asyncio.run":
    asyncio.run(main())
else:
    loop = asyncio.new_event_loop()
    loop.run_until_complete(main())
    KEEP.append(loop)  # never closed: parked futures and the wake-up reader stay registered
print("ok", flush=True)
'''


def run_once(mode: str) -> subprocess.CompletedProcess:
    tests = os.path.dirname(os.path.abspath(__file__))
    code = PROGRAM.format(tests=tests, mode=mode)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("mode", ["asyncio.run", "open-loop"])
def test_programs_with_live_runs_exit_cleanly_in_fresh_processes(mode):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: run_once(mode), range(12)))
    for r in results:
        assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
        assert r.stdout == "ok\n"
        for marker in ("Fatal Python error", "panicked", "Segmentation", "Aborted", "Traceback"):
            assert marker not in r.stderr, r.stderr[-2000:]
