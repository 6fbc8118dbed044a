"""In-memory repository of business hours."""

from __future__ import annotations

import copy

from ..domain.business_hours import BusinessHours, HoursTarget
from .repository_base import InMemoryRepository


class InMemoryBusinessHoursRepository(InMemoryRepository):
    async def get(self, target: HoursTarget) -> BusinessHours | None:
        return copy.deepcopy(self._s.business_hours.get(target.key))

    async def put(self, target: HoursTarget, hours: BusinessHours) -> None:
        self._s.business_hours[target.key] = hours

    async def delete(self, target: HoursTarget) -> None:
        self._s.business_hours.pop(target.key, None)
