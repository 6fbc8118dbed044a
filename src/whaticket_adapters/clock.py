"""The real clock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """:class:`~whaticket_core.ports.Clock` reading the system time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
