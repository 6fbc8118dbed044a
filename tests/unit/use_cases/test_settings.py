"""Settings: every known key listed with defaults; admin-only, validated updates."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import admin

from whaticket_core.domain.errors import ActionForbidden, InvalidInput, SettingNotFound
from whaticket_core.domain.settings import (
    AUTO_ASSIGN,
    AUTO_CLOSE_MINUTES,
    AUTO_CLOSE_WARNING,
    AUTO_CLOSE_WARNING_MINUTES,
    CSAT,
    CSAT_QUESTION,
    DEFAULT_CSAT_QUESTION,
    GROUP_MESSAGES,
    TICKET_REOPEN_WINDOW_MINUTES,
    USER_CREATION,
)
from whaticket_core.domain.user import Role
from whaticket_core.use_cases.directory.settings import (
    ListSettings,
    ListSettingsCommand,
    Setting,
    UpdateSetting,
    UpdateSettingCommand,
)


async def test_list_fills_in_defaults_and_shows_stored_values(world: World) -> None:
    agent = await world.viewer()
    await world.set_setting(GROUP_MESSAGES, "ticket")
    await world.set_setting("retiredKey", "x")
    settings = await ListSettings(world.uow()).execute(ListSettingsCommand(agent))
    assert settings == [
        Setting(USER_CREATION, "disabled"),
        Setting(TICKET_REOPEN_WINDOW_MINUTES, "120"),
        Setting(GROUP_MESSAGES, "ticket"),
        Setting(CSAT, "off"),
        Setting(CSAT_QUESTION, DEFAULT_CSAT_QUESTION),
        Setting(AUTO_CLOSE_MINUTES, "0"),
        Setting(AUTO_CLOSE_WARNING_MINUTES, "0"),
        Setting(AUTO_CLOSE_WARNING, ""),
        Setting(AUTO_ASSIGN, "off"),
    ]


async def test_automation_settings_are_validated(world: World) -> None:
    actor = await admin(world)
    update = UpdateSetting(world.uow())
    await update.execute(UpdateSettingCommand(actor, AUTO_ASSIGN, "round_robin"))
    await update.execute(UpdateSettingCommand(actor, AUTO_CLOSE_WARNING, "{{name}}, closing in 10 minutes"))
    for key, value in ((AUTO_ASSIGN, "random"), (AUTO_CLOSE_MINUTES, "-5"), (AUTO_CLOSE_WARNING_MINUTES, "ten")):
        with pytest.raises(InvalidInput):
            await update.execute(UpdateSettingCommand(actor, key, value))
    assert world.state.settings == {AUTO_ASSIGN: "round_robin", AUTO_CLOSE_WARNING: "{{name}}, closing in 10 minutes"}


async def test_admin_updates_a_setting(world: World) -> None:
    actor = await admin(world)
    result = await UpdateSetting(world.uow()).execute(UpdateSettingCommand(actor, USER_CREATION, "enabled"))
    assert result == Setting(USER_CREATION, "enabled")
    assert world.state.settings[USER_CREATION] == "enabled"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_only_admins_update_settings(world: World, role: Role) -> None:
    with pytest.raises(ActionForbidden):
        await UpdateSetting(world.uow()).execute(
            UpdateSettingCommand(await world.viewer(role=role), USER_CREATION, "enabled")
        )
    assert USER_CREATION not in world.state.settings


async def test_unknown_keys_and_bad_values_are_refused(world: World) -> None:
    actor = await admin(world)
    with pytest.raises(SettingNotFound):
        await UpdateSetting(world.uow()).execute(UpdateSettingCommand(actor, "nope", "1"))
    for key, value in ((USER_CREATION, "maybe"), (TICKET_REOPEN_WINDOW_MINUTES, "-5"), (GROUP_MESSAGES, "all")):
        with pytest.raises(InvalidInput):
            await UpdateSetting(world.uow()).execute(UpdateSettingCommand(actor, key, value))
    assert world.state.settings == {}
    await UpdateSetting(world.uow()).execute(UpdateSettingCommand(actor, TICKET_REOPEN_WINDOW_MINUTES, "0"))
    assert world.state.settings[TICKET_REOPEN_WINDOW_MINUTES] == "0"
