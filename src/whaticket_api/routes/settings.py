"""/settings: the company-wide settings (read by everyone signed in, written by admins)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import get, put
from litestar.params import JSONBody, PathParameter

from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.settings import (
    ListSettings,
    ListSettingsCommand,
    UpdateSetting,
    UpdateSettingCommand,
)

from .common import AUTHED, errors

SettingKey = Annotated[str, PathParameter(min_length=1, max_length=100, description="e.g. userCreation")]


class SettingOut(msgspec.Struct, rename="camel"):
    key: str
    value: str


class SettingIn(msgspec.Struct, rename="camel"):
    value: Annotated[str, msgspec.Meta(max_length=1000)]


@get("/", responses=errors(*AUTHED))
async def list_settings(viewer: FromDishka[Viewer], use_case: FromDishka[ListSettings]) -> list[SettingOut]:
    """Every setting with its current value (`userCreation`, `ticketReopenWindowMinutes`, `groupMessages`,
    `autoCloseMinutes`, `autoCloseWarningMinutes`, `autoCloseWarning`, `autoAssign`)."""
    return [SettingOut(s.key, s.value) for s in await use_case.execute(ListSettingsCommand(viewer))]


@put("/{key:str}", responses=errors(*AUTHED, 403, 404))
async def update_setting(
    key: SettingKey, data: JSONBody[SettingIn], viewer: FromDishka[Viewer], use_case: FromDishka[UpdateSetting]
) -> SettingOut:
    """Change one setting (admin)."""
    setting = await use_case.execute(UpdateSettingCommand(viewer, key, data.value))
    return SettingOut(setting.key, setting.value)


router = DishkaRouter("/settings", route_handlers=[list_settings, update_setting], tags=["settings"])
