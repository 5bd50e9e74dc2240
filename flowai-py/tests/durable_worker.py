"""A process of the cross-process durable-state tests (not a test module).

    python durable_worker.py <storage json> <tenant> pause <effects>
        starts a run that pauses at the gated `charge` tool; prints {"runId", "approvalId"}
        and exits (the stream is dropped, the process ends).
    python durable_worker.py <storage json> <tenant> wait <effects>
        as pause, but keeps reading the stream: prints {"runId", "approvalId"} at the
        gate, then, once the run went on (decided by another process) and ended, prints
        {"types": [...the event types after the gate...]}.
    python durable_worker.py <storage json> <tenant> execute <effects> <go file>
        waits for <go file>, then runs executePlan on plan p1 (no gate) and prints the
        executePlan result.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from flowai_harness import (
    create_runtime,
    define_coordinator,
    define_executor,
    define_plan,
    define_planner,
    define_runtime,
    define_specialist,
    define_tenant,
    define_tool,
)

STORAGE, TENANT, MODE, EFFECTS = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
MODEL = "claude-sonnet-4-6"


def effect(line: str) -> None:
    fd = os.open(EFFECTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


@define_tool("charge", {"cents": int}, approval="always")
def charge(args, ctx):
    effect(f"charge:{args['cents']}:{os.getpid()}")
    return {"charged": args["cents"]}


def dispatch(actions, ctx):
    effect(f"dispatch:{os.getpid()}")
    return {"entitiesAffected": len(actions)}


def runtime():
    plan = define_plan("Restock", {"type": "object", "required": ["actions"]})
    agents = [
        define_coordinator("coordinator", model=MODEL, prompt="Route.", routes=["billing", "planner", "executor"]),
        define_specialist("billing", model=MODEL, prompt="Bill.", tools=[charge]),
        define_planner("planner", model=MODEL, prompt="Plan.", plan=plan),
        define_executor("executor", model=MODEL, prompt="Execute.", plan=plan, approval={"plans": "never"}),
    ]
    spec = define_runtime(
        define_tenant(TENANT, "v1"),
        agents=agents,
        providers={"anthropic": {"apiKey": "unused"}},
        storage_factories=STORAGE,
    )
    return create_runtime(spec, interpreter="scripted", action_dispatcher=dispatch)


def script(tool, args):
    return json.dumps({"tool": tool, "args": args})


async def main() -> None:
    rt = runtime()
    if MODE in ("pause", "wait"):
        stream = rt.run_specialist("billing", script("charge", {"cents": 500}), thread_id="t1")
        after = None
        async for event in stream:
            if after is not None:
                after.append(event["type"])
            elif event["type"] == "approval-required":
                print(json.dumps({"runId": stream.run_id, "approvalId": event["data"]["id"]}), flush=True)
                if MODE == "pause":
                    return
                after = []
        print(json.dumps({"types": after}))
    elif MODE == "execute":
        go = sys.argv[5]
        while not os.path.exists(go):
            time.sleep(0.005)
        result = None
        prompt = script("call_agent", {"agent": "executor", "prompt": script("executePlan", {"planId": "p1"})})
        async for event in rt.query(prompt, thread_id=f"exec-{os.getpid()}"):
            if event.get("toolName") == "executePlan" and event["state"] == "result":
                result = event["result"]
        print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
