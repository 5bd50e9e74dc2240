"""Following a run's journal from another consumer (durable runs, README "Durable state")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

__all__ = ["follow_run"]

_OPEN = ("running", "paused")


async def follow_run(
    runtime: Any, run_id: str, *, after: int = 0, poll_interval: float = 0.05
) -> AsyncIterator[dict[str, Any]]:
    """Yield ``{"seq", "event"}`` for every journaled event of ``run_id`` after ``after``.

    Reattaches to a run from a consumer other than the one driving it (another task, or
    another process sharing a durable store): first the events already in the journal,
    then new ones as they are committed, until the run is no longer running or paused.
    Events become visible once durable, i.e. no later than when the driving consumer
    receives them. A run this runtime started and whose stream nobody iterated yet has no
    record in the store; it is waited for. Raises ``ValueError`` for an unknown run.

    Example::

        async for item in follow_run(runtime, stream.run_id):
            print(item["seq"], item["event"]["type"])
    """
    if not runtime.run_is_starting(run_id) and runtime.run_info(run_id) is None:
        raise ValueError(f"run not found: {run_id}")
    while True:
        # Starting before the status, the status before the events: a run that stopped
        # starting has its record by then, and events committed before the status are in
        # the next read.
        starting = runtime.run_is_starting(run_id)
        info = runtime.run_info(run_id)
        for item in runtime.run_events(run_id, after):
            after = item["seq"]
            yield item
        if info is None and not starting:
            return
        if info is not None and info["status"] not in _OPEN:
            return
        await asyncio.sleep(poll_interval)
