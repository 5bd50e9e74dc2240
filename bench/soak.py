"""Crash-safety soak: 1,000 kill-and-resume trials (issue 6 §6).

Each trial runs the flow of flowai-py/tests/crash_worker.py on a fresh SQLite file, kills
the process with SIGKILL at a random point (and, in 30% of trials, the first resume too),
resumes until the run completes, and checks that every tool effect and the dispatcher
happened exactly once and that the journal has no gaps.

Usage: python bench/soak.py [--trials N] [--seed S]
Prints one JSON object: trials, failures, in-doubt gates met, wall time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flowai-py" / "tests"))

from crash_support import baseline_points, check, trial  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    failures, in_doubt, double_kills = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        points = baseline_points(work)
        for i in range(args.trials):
            result = trial(work, points, rng)
            double_kills += len(result["kills"]) > 1
            in_doubt += sum(e["type"] in ("data-tool-in-doubt", "data-plan-in-doubt") for e in result["events"])
            problems = check(result)
            if problems:
                failures.append({"trial": i, "kills": result["kills"], "problems": problems})
    print(
        json.dumps(
            {
                "trials": args.trials,
                "kill_points_in_flow": points,
                "double_kills": double_kills,
                "in_doubt_gates": in_doubt,
                "failures": len(failures),
                "first_failures": failures[:5],
                "wall_s": round(time.perf_counter() - t0, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
