"""Repository of business hours (one row per schedule, its ranges as JSON)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from whaticket_core.domain.business_hours import BusinessHours, HoursTarget

from .base_repository import SqlRepository
from .mapping import business_hours_of, business_hours_values
from .models import BusinessHoursRow, table_of

_BH = table_of(BusinessHoursRow)


class SqlBusinessHoursRepository(SqlRepository):
    async def get(self, target: HoursTarget) -> BusinessHours | None:
        row = await self._one(select(_BH).where(_BH.c.key == target.key))
        return None if row is None else business_hours_of(row)

    async def put(self, target: HoursTarget, hours: BusinessHours) -> None:
        values = business_hours_values(target, hours)
        upsert = pg_insert(_BH) if self._dialect == "postgresql" else sqlite_insert(_BH)
        changed = {k: v for k, v in values.items() if k != "key"}
        await self._execute(upsert.values(values).on_conflict_do_update(index_elements=[_BH.c.key], set_=changed))

    async def delete(self, target: HoursTarget) -> None:
        await self._execute(delete(_BH).where(_BH.c.key == target.key))
