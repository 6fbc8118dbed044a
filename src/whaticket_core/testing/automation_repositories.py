"""In-memory repository of business hours."""

from __future__ import annotations

from ..domain.business_hours import BusinessHours, HoursTarget
from .repository_base import InMemoryRepository


class InMemoryBusinessHoursRepository(InMemoryRepository):
    async def get(self, target: HoursTarget) -> BusinessHours | None:
        return self._s.business_hours.get(target.key)  # frozen: shared safely

    async def put(self, target: HoursTarget, hours: BusinessHours) -> None:
        self._s.business_hours[target.key] = hours

    async def delete(self, target: HoursTarget) -> None:
        self._s.business_hours.pop(target.key, None)
