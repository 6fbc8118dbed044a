"""Reconnect delays. Neither neonize nor our simulator retries a failed connect by itself: the transport does."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential delays: ``initial * factor**attempt`` capped at ``maximum``, each shortened by up to ``jitter``
    (a fraction) so many sessions dropped together do not all come back in the same instant."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 60.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor ** max(0, attempt))
        return base * (1 - self.jitter * random.random())
