"""Finding 13: SAQ recovered a killed worker's jobs one per 5 s (its sweep waits 5 s per stuck job for an abort
acknowledgement a dead worker never sends). The queue the app builds waits briefly instead."""

from __future__ import annotations

from typing import Any

import pytest
from saq.queue.redis import RedisQueue

from whaticket_adapters.jobs.saq_queue import SWEEP_ABORT_WAIT_SECONDS, SaqJobQueue


async def test_the_sweep_of_the_apps_queue_waits_briefly_per_stuck_job(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    async def recorded_sweep(self: RedisQueue, lock: int = 60, abort: float = 5.0) -> list[str]:
        calls.append({"lock": lock, "abort": abort})
        return []

    monkeypatch.setattr(RedisQueue, "sweep", recorded_sweep)
    queue = SaqJobQueue.from_url("redis://127.0.0.1:6379/0", name="whaticket:test")  # no connection is made
    await queue.queue.sweep()  # as SAQ's worker calls it: no arguments
    await queue.queue.sweep(lock=30, abort=5.0)

    assert [c["abort"] for c in calls] == [SWEEP_ABORT_WAIT_SECONDS, SWEEP_ABORT_WAIT_SECONDS]
    assert SWEEP_ABORT_WAIT_SECONDS <= 0.5
    assert calls[1]["lock"] == 30
