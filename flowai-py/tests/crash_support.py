"""Kill-and-resume trials shared by the crash-safety test and the soak script."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

WORKER = Path(__file__).with_name("crash_worker.py")
EXPECTED_EFFECTS = ["charge:1", "charge:2", "dispatch:A-1"]
# Every tool call of the flow, journaled once each (call and result).
EXPECTED_CALLS = {"call_agent": 3, "charge": 2, "storePlan": 1, "executePlan": 1}


def run_worker(db: Path, effects: Path, mode: str, kill_at: int) -> tuple[int, int | None]:
    """Runs one worker process; returns (exit code, points passed or None when killed)."""
    proc = subprocess.run(
        [sys.executable, str(WORKER), str(db), str(effects), mode, str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode == 0:
        return 0, json.loads(proc.stdout.strip().splitlines()[-1])["points"]
    if proc.returncode != -9:
        raise AssertionError(f"worker {mode} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.returncode, None


def journal(db: Path) -> tuple[str, list[int], list[dict]]:
    """The run's status, its journal's sequence numbers and events, read straight from SQLite."""
    con = sqlite3.connect(db)
    try:
        [(record,)] = con.execute("SELECT value FROM flowai_kv WHERE key LIKE 'run:%'").fetchall()
        rows = con.execute("SELECT first_seq, last_seq, events FROM flowai_journal ORDER BY first_seq").fetchall()
    finally:
        con.close()
    seqs, events = [], []
    for first, last, packed in rows:  # one row per commit: the events first..last
        batch = json.loads(packed)
        assert len(batch) == last - first + 1, (first, last, len(batch))
        seqs.extend(range(first, last + 1))
        events.extend(batch)
    return json.loads(record)["status"], seqs, events


def trial(workdir: Path, points: int, rng: random.Random) -> dict:
    """Start, kill at a random point, resume (maybe killed again), resume to the end; check."""
    db, effects = workdir / "state.db", workdir / "effects.txt"
    for p in (db, effects, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    first = rng.randint(1, points)
    kills = [first]
    code, _ = run_worker(db, effects, "start", first)
    second = rng.randint(1, points) if rng.random() < 0.3 else 0
    if second:
        kills.append(second)
        run_worker(db, effects, "resume", second)
    for _ in range(3):
        code, _ = run_worker(db, effects, "resume", 0)
        status, _, _ = journal(db)
        if status == "completed":
            break
    status, seqs, events = journal(db)
    lines = effects.read_text().splitlines() if effects.exists() else []
    return {"kills": kills, "status": status, "seqs": seqs, "events": events, "effects": lines}


def check(result: dict) -> list[str]:
    """What went wrong in a trial (empty when nothing was lost or duplicated)."""
    problems = []
    if result["status"] != "completed":
        problems.append(f"run ended {result['status']}")
    if sorted(result["effects"]) != sorted(EXPECTED_EFFECTS):
        problems.append(f"effects {result['effects']}")
    if result["seqs"] != list(range(1, len(result["seqs"]) + 1)):
        problems.append("journal has gaps")
    events = result["events"]
    if not events or events[-1]["type"] != "tool-agent" or events[-1]["state"] != "result":
        problems.append("journal does not end with the entry agent's result")
    for state in ("call", "result"):
        seen: dict[str, int] = {}
        for e in events:
            if e["type"] == "tool-invocation" and e["state"] == state:
                seen[e["toolName"]] = seen.get(e["toolName"], 0) + 1
        if seen != EXPECTED_CALLS:
            problems.append(f"tool {state}s journaled {seen}")
    return problems


def baseline_points(workdir: Path) -> int:
    db, effects = workdir / "base.db", workdir / "base-effects.txt"
    code, points = run_worker(db, effects, "start", 0)
    assert code == 0 and points, "the flow must finish without a kill"
    return points

