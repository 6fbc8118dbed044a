"""Company-wide settings: everyone reads them (clients adapt to them), admins change them."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import SettingNotFound
from whaticket_core.domain.settings import SPECS, validate_setting
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.guards import require_admin


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ListSettingsCommand:
    actor: Viewer


class ListSettings:
    """Every known setting, in a fixed order, the stored value or else its default. Stored keys no longer known are
    left out."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListSettingsCommand) -> list[Setting]:
        async with self._uow as uow:
            stored = await uow.settings.all()
        return [Setting(key, spec.value_of(stored.get(key))) for key, spec in SPECS.items()]


@dataclass(frozen=True, slots=True)
class UpdateSettingCommand:
    actor: Viewer
    key: str
    value: str


class UpdateSetting:
    """Admin only (``forbidden``). An unknown key is ``setting_not_found``; the value must be one the key allows
    (``validation_error``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateSettingCommand) -> Setting:
        require_admin(command.actor, "change settings")
        if command.key not in SPECS:
            raise SettingNotFound(f"No setting {command.key!r}", key=command.key)
        value = validate_setting(command.key, command.value.strip())
        async with self._uow as uow:
            await uow.settings.set(command.key, value)
            await uow.commit()
        return Setting(command.key, value)
