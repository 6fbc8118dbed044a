"""Reading one company-wide setting inside a use case's transaction."""

from __future__ import annotations

from whaticket_core.domain.settings import SPECS
from whaticket_core.ports.unit_of_work import UnitOfWork


async def read_setting(uow: UnitOfWork, key: str) -> str:
    """The value of known setting ``key``: the stored one, else its default (see ``SettingSpec.value_of``)."""
    return SPECS[key].value_of(await uow.settings.get(key))
