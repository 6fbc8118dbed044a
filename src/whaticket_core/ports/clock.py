from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time. Always timezone-aware UTC; the core never reads the system clock itself."""

    def now(self) -> datetime: ...
