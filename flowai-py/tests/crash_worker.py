"""One process of the crash-safety test (not a test module).

    python crash_worker.py <db> <effects file> start|resume <kill point>

`start` begins the scripted flow (a specialist charging twice through a gated tool, then
a planner storing a plan and an executor executing it through the plan gate) on a
SQLite store; `resume` continues every open run of that store. Every gate is approved,
except an in-doubt one whose effect is already in the effects file (it is rejected: the
effect happened). Effects append one line each to the effects file. The process kills
itself with SIGKILL at "point" number <kill point> (0 = never): points are counted at
every event received, and just before and just after every effect. It prints the number
of points it passed when it exits normally.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from flowai_harness import (
    StorageFactories,
    StorageFactorySpec,
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

DB, EFFECTS, MODE, KILL_AT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
points = 0


def point() -> None:
    global points
    points += 1
    if points == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def effect(line: str) -> None:
    point()
    fd = os.open(EFFECTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)
    point()


def effects() -> list[str]:
    try:
        with open(EFFECTS) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


@define_tool("charge", {"cents": int}, approval="always")
def charge(args, ctx):
    effect(f"charge:{args['cents']}")
    return {"charged": args["cents"]}


def dispatch(actions, ctx):
    effect("dispatch:" + ",".join(a["payload"]["sku"] for a in actions))
    return {"entitiesAffected": len(actions)}


def script(*calls):
    return json.dumps({"script": [{"tool": t, "args": a} for t, a in calls]})


PLAN = {"type": "object", "required": ["actions"]}
PROMPT = script(
    ("call_agent", {"agent": "billing", "prompt": script(("charge", {"cents": 1}), ("charge", {"cents": 2}))}),
    (
        "call_agent",
        {
            "agent": "planner",
            "prompt": script(
                ("storePlan", {"specName": "Restock", "planId": "p1", "body": {"actions": [{"kind": "restock", "sku": "A-1"}]}})
            ),
        },
    ),
    ("call_agent", {"agent": "executor", "prompt": script(("executePlan", {"planId": "p1"}))}),
)


def runtime():
    plan = define_plan("Restock", PLAN)
    agents = [
        define_coordinator("coordinator", model="claude-sonnet-4-6", prompt="Route.", routes=["billing", "planner", "executor"]),
        define_specialist("billing", model="claude-sonnet-4-6", prompt="Bill.", tools=[charge]),
        define_planner("planner", model="claude-sonnet-4-6", prompt="Plan.", plan=plan),
        define_executor("executor", model="claude-sonnet-4-6", prompt="Execute.", plan=plan, approval={"plans": "always"}),
    ]
    kv = StorageFactorySpec(kind="sqlite", config={"path": DB})
    spec = define_runtime(
        define_tenant("acme", "v1"),
        agents=agents,
        providers={"anthropic": {"apiKey": "unused"}},
        storage_factories=StorageFactories(kv=kv),
    )
    return create_runtime(spec, interpreter="scripted", action_dispatcher=dispatch)


def in_doubt_effect(journal: list[dict], approval_id: str) -> str | None:
    """The effect an in-doubt gate is about, or None for an ordinary gate."""
    for prev, event in zip(journal, journal[1:]):
        if event["type"] == "approval-required" and event["data"]["id"] == approval_id:
            if prev["type"] == "data-tool-in-doubt":
                return f"charge:{prev['data']['args']['cents']}"
            if prev["type"] == "data-plan-in-doubt":
                return "dispatch:A-1"
    return None


async def decide(rt, approval_id: str, journal: list[dict]) -> None:
    effect_line = in_doubt_effect(journal, approval_id)
    outcome = "reject" if effect_line is not None and effect_line in effects() else "approve"
    try:
        await rt.respond_to_approval(approval_id, outcome)
    except ValueError as e:  # decided before the previous process died
        assert "already resolved" in str(e), e


async def drive(rt, stream, journal: list[dict]) -> None:
    async for event in stream:
        point()
        journal.append(event)
        if event["type"] == "approval-required":
            await decide(rt, event["data"]["id"], journal)


async def main() -> None:
    rt = runtime()
    if MODE == "start":
        await drive(rt, rt.query(PROMPT, thread_id="t1"), [])
    else:
        for run in rt.list_runs():
            if run["status"] not in ("running", "paused"):
                continue
            journal = [i["event"] for i in rt.run_events(run["runId"])]
            for approval in rt.list_approvals():
                if approval["runId"] == run["runId"]:
                    await decide(rt, approval["id"], journal)
            await drive(rt, rt.query("", thread_id=run["threadId"], resume=run["runId"]), journal)
    print(json.dumps({"points": points}))


asyncio.run(main())
