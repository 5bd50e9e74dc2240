"""Crash safety (issue 6 §6): a runtime process on SQLite is killed with SIGKILL at random
points of a scripted flow with gated tools and a gated plan, restarted and resumed. No
dispatcher call or tool effect may be lost or duplicated, and the journal has no gaps.
`bench/soak.py` runs the same trials 1,000 times."""

from __future__ import annotations

import os
import random

from crash_support import baseline_points, check, trial

KILL_POINTS = int(os.environ.get("FLOWAI_CRASH_POINTS", "50"))


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path):
    points = baseline_points(tmp_path)
    rng = random.Random(20261125)
    failures = []
    killed_at = set()
    for i in range(KILL_POINTS):
        result = trial(tmp_path, points, rng)
        killed_at.add(result["kills"][0])
        problems = check(result)
        if problems:
            failures.append((result["kills"], problems))
    assert failures == []
    # The kill points spread over the flow, not one spot.
    assert len(killed_at) >= min(KILL_POINTS, points) // 2
