"""Durable state across processes (issue 6 §3-§5): a run paused in one process is listed,
approved and resumed in another, on SQLite and on PostgreSQL; concurrent executePlan
calls from several processes dispatch a plan once; an approval is decided once.

PostgreSQL tests need FLOWAI_TEST_PG_URL (scripts/pg.sh starts a server; `.ci/run` does
it); with FLOWAI_REQUIRE_PG=1 they fail instead of skipping when it is unset."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from runtime_support import collect, script

WORKER = Path(__file__).with_name("durable_worker.py")
PG_URL = os.environ.get("FLOWAI_TEST_PG_URL")


def storages(tmp_path):
    yield "sqlite", {"kv": {"kind": "sqlite", "config": {"path": str(tmp_path / "state.db")}}}
    if PG_URL:
        yield "postgres", {"kv": {"kind": "postgres", "config": {"url": PG_URL}}}
    elif os.environ.get("FLOWAI_REQUIRE_PG") == "1":
        pytest.fail("FLOWAI_TEST_PG_URL is not set but FLOWAI_REQUIRE_PG=1")


def worker(storage, tenant, mode, effects, *extra):
    return subprocess.Popen(
        [sys.executable, str(WORKER), json.dumps(storage), tenant, mode, str(effects), *map(str, extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc) -> dict:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def runtime_in(storage, tenant, effects):
    """This process's runtime of the worker's spec (import the worker's definitions)."""
    sys.argv = [str(WORKER), json.dumps(storage), tenant, "none", str(effects)]
    spec = importlib.util.spec_from_file_location(f"durable_worker_{uuid.uuid4().hex}", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.runtime()


@pytest.mark.asyncio
async def test_paused_in_one_process_approved_and_finished_in_another(tmp_path):
    for name, storage in storages(tmp_path):
        tenant = f"t-{uuid.uuid4().hex[:8]}"
        effects = tmp_path / f"{name}-effects.txt"
        paused = finish(worker(storage, tenant, "pause", effects))
        runtime = runtime_in(storage, tenant, effects)
        [approval] = runtime.list_approvals()
        assert approval["id"] == paused["approvalId"], name
        assert approval["runId"] == paused["runId"]
        assert (approval["kind"], approval["target"], approval["payload"]) == ("tool", "charge", {"cents": 500})
        [run] = runtime.list_runs()
        assert run["status"] == "paused"
        await runtime.respond_to_approval(approval["id"], "approve")
        with pytest.raises(ValueError, match="approval already resolved"):
            await runtime.respond_to_approval(approval["id"], "reject")
        events = await collect(runtime.query("", thread_id="t1", resume=paused["runId"]))
        assert events[0]["type"] == "approval-decision"
        assert events[-1]["type"] == "tool-agent" and events[-1]["state"] == "result"
        lines = effects.read_text().splitlines()
        assert lines == [f"charge:500:{os.getpid()}"], (name, lines)
        journal = runtime.run_events(paused["runId"])
        assert [i["seq"] for i in journal] == list(range(1, len(journal) + 1))
        assert [i["event"] for i in journal][-len(events):] == events
        assert runtime.run_info(paused["runId"])["status"] == "completed"
        # Another tenant on the same store sees none of it.
        other = runtime_in(storage, f"other-{tenant}", effects)
        assert other.list_runs() == [] and other.list_approvals() == []


@pytest.mark.asyncio
async def test_a_run_waiting_in_one_process_goes_on_when_another_decides(tmp_path):
    for name, storage in storages(tmp_path):
        tenant = f"t-{uuid.uuid4().hex[:8]}"
        effects = tmp_path / f"{name}-wait-effects.txt"
        proc = worker(storage, tenant, "wait", effects)
        paused = json.loads(proc.stdout.readline())
        runtime = runtime_in(storage, tenant, effects)
        await runtime.respond_to_approval(paused["approvalId"], "approve")
        # The worker's stream, still waiting at the gate, goes on by itself (no resume).
        types = finish(proc)["types"]
        assert types[0] == "approval-decision", (name, types)
        assert types[-1] == "tool-agent", (name, types)
        assert effects.read_text().splitlines() == [f"charge:500:{proc.pid}"], name
        assert runtime.run_info(paused["runId"])["status"] == "completed"
        journal = runtime.run_events(paused["runId"])
        assert [i["seq"] for i in journal] == list(range(1, len(journal) + 1))


@pytest.mark.asyncio
async def test_concurrent_execute_plan_from_processes_dispatches_once(tmp_path):
    for name, storage in storages(tmp_path):
        tenant = f"t-{uuid.uuid4().hex[:8]}"
        effects = tmp_path / f"{name}-dispatch.txt"
        runtime = runtime_in(storage, tenant, effects)
        body = {"actions": [{"kind": "restock", "sku": "A-1"}]}
        store = script(("storePlan", {"specName": "Restock", "planId": "p1", "body": body}))
        stored = await collect(runtime.query(script(("call_agent", {"agent": "planner", "prompt": store})), thread_id="plan"))
        assert not [e for e in stored if e["type"] == "error"]
        go = tmp_path / f"{name}-go"
        procs = [worker(storage, tenant, "execute", effects, go) for _ in range(4)]
        go.touch()
        results = [finish(p) for p in procs]
        lines = effects.read_text().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dispatch:"), (name, lines)
        winners = [r for r in results if r.get("entitiesAffected") == 1]
        assert len(winners) == 1, (name, results)
        for r in results:
            if r not in winners:
                assert r["error"].startswith("Invalid plan state for execution"), (name, r)
