"""Every job attempt reports its outcome (metrics listen) and a failure is one log line naming the job's ids."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from whaticket_adapters.jobs import DEFAULT_POLICIES, JobContext, functions


class BrokenUseCases:
    @asynccontextmanager
    async def open(self, kind: type[Any]) -> AsyncIterator[Any]:
        raise RuntimeError("session gone\nsecond line")
        yield  # pragma: no cover


async def test_a_failed_attempt_is_reported_and_logged_with_its_ids(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, str, int]] = []

    def listener(kind: str, outcome: str, attempt: int) -> None:
        seen.append((kind, outcome, attempt))

    functions.OUTCOME_LISTENERS.append(listener)
    try:
        with caplog.at_level(logging.WARNING, logger="whaticket.jobs"), pytest.raises(RuntimeError):
            await functions.run(JobContext(BrokenUseCases(), DEFAULT_POLICIES), functions.DELIVER, 2, {"message_id": 5})
    finally:
        functions.OUTCOME_LISTENERS.remove(listener)
    assert seen == [("deliver_message", "failed", 2)]
    [record] = [r for r in caplog.records if r.name == "whaticket.jobs"]
    assert (
        record.getMessage()
        == "job deliver_message message_id=5 attempt 2 failed: RuntimeError: session gone second line"
    )
    assert (record.job, record.attempt, record.message_id) == ("deliver_message", 2, 5)  # type: ignore[attr-defined]
