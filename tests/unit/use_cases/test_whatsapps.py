"""Connections: admin-only writes, exactly one default, validated queues; session control and transport reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World
from ticket_seed import admin

from whaticket_core.domain.errors import (
    ActionForbidden,
    DefaultWhatsAppRequired,
    InvalidInput,
    QrCodeNotFound,
    QueueNotFound,
    WhatsAppNameTaken,
    WhatsAppNotFound,
)
from whaticket_core.domain.events import WhatsAppQrCode, WhatsAppStatusChanged
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.user import Role
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.testing import FakeSessionController
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    GetQrCode,
    GetQrCodeCommand,
    LogoutSession,
    LogoutSessionCommand,
    PairCode,
    RequestPairCode,
    RequestPairCodeCommand,
    StartSession,
    StartSessionCommand,
    UpdateConnectionStatus,
    UpdateConnectionStatusCommand,
    UpdateQrCode,
    UpdateQrCodeCommand,
)
from whaticket_core.use_cases.connections.whatsapps import (
    CreateWhatsApp,
    CreateWhatsAppCommand,
    DeleteWhatsApp,
    DeleteWhatsAppCommand,
    GetWhatsApp,
    GetWhatsAppCommand,
    ListWhatsApps,
    ListWhatsAppsCommand,
    UpdateWhatsApp,
    UpdateWhatsAppCommand,
)


def defaults(world: World) -> list[int]:
    return [w.id for w in world.state.whatsapps.values() if w.is_default]


def create(world: World) -> CreateWhatsApp:
    return CreateWhatsApp(world.uow(), world.clock)


def update(world: World) -> UpdateWhatsApp:
    return UpdateWhatsApp(world.uow(), world.clock)


async def test_first_connection_becomes_default_and_a_new_default_takes_over(world: World) -> None:
    actor = await admin(world)
    first = await create(world).execute(CreateWhatsAppCommand(actor, "First", is_default=False))
    assert defaults(world) == [first.id]
    assert world.state.whatsapps[first.id].status is ConnectionStatus.DISCONNECTED

    second = await create(world).execute(CreateWhatsAppCommand(actor, "Second"))
    assert defaults(world) == [first.id]
    third = await create(world).execute(CreateWhatsAppCommand(actor, "Third", is_default=True))
    assert defaults(world) == [third.id]

    await update(world).execute(UpdateWhatsAppCommand(actor, second.id, is_default=True))
    assert defaults(world) == [second.id]


async def test_the_default_cannot_be_un_defaulted_directly(world: World) -> None:
    actor = await admin(world)
    only = await create(world).execute(CreateWhatsAppCommand(actor, "Only"))
    with pytest.raises(DefaultWhatsAppRequired):
        await update(world).execute(UpdateWhatsAppCommand(actor, only.id, is_default=False))
    assert defaults(world) == [only.id]


async def test_deleting_the_default_promotes_the_oldest_remaining(world: World) -> None:
    actor = await admin(world)
    first = await create(world).execute(CreateWhatsAppCommand(actor, "First"))
    second = await create(world).execute(CreateWhatsAppCommand(actor, "Second"))
    await create(world).execute(CreateWhatsAppCommand(actor, "Third"))

    await DeleteWhatsApp(world.uow(), world.clock).execute(DeleteWhatsAppCommand(actor, first.id))

    assert first.id not in world.state.whatsapps
    assert defaults(world) == [second.id]
    with pytest.raises(WhatsAppNotFound):
        await DeleteWhatsApp(world.uow(), world.clock).execute(DeleteWhatsAppCommand(actor, first.id))


async def test_names_are_unique_and_queues_validated(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    main = await create(world).execute(CreateWhatsAppCommand(actor, "Main", queue_ids=(queue.id,)))
    assert world.state.whatsapps[main.id].queue_ids == [queue.id]
    with pytest.raises(WhatsAppNameTaken):
        await create(world).execute(CreateWhatsAppCommand(actor, "MAIN"))
    with pytest.raises(QueueNotFound):
        await create(world).execute(CreateWhatsAppCommand(actor, "Other", queue_ids=(999,)))
    other = await create(world).execute(CreateWhatsAppCommand(actor, "Other"))
    with pytest.raises(WhatsAppNameTaken):
        await update(world).execute(UpdateWhatsAppCommand(actor, other.id, name="main"))
    await update(world).execute(UpdateWhatsAppCommand(actor, other.id, farewell_message="Bye {{name}}"))
    saved = world.state.whatsapps[other.id]
    assert (saved.name, saved.farewell_message) == ("Other", "Bye {{name}}")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_writes_and_session_control_are_admin_only(world: World, role: Role) -> None:
    actor = await world.viewer(role=role)
    wa = await world.add_whatsapp("Kept")
    sessions = FakeSessionController()
    attempts = [
        create(world).execute(CreateWhatsAppCommand(actor, "New")),
        update(world).execute(UpdateWhatsAppCommand(actor, wa.id, name="Changed")),
        DeleteWhatsApp(world.uow(), world.clock).execute(DeleteWhatsAppCommand(actor, wa.id)),
        StartSession(world.uow(), world.clock, world.publisher, sessions).execute(StartSessionCommand(actor, wa.id)),
        LogoutSession(world.uow(), world.clock, world.publisher, sessions).execute(LogoutSessionCommand(actor, wa.id)),
        GetQrCode(world.uow()).execute(GetQrCodeCommand(actor, wa.id)),
    ]
    for attempt in attempts:
        with pytest.raises(ActionForbidden):
            await attempt
    assert [w.name for w in world.state.whatsapps.values()] == ["Kept"]
    assert (sessions.started, sessions.logged_out) == ([], [])
    assert (await GetWhatsApp(world.uow()).execute(GetWhatsAppCommand(actor, wa.id))).name == "Kept"
    page = await ListWhatsApps(world.uow()).execute(ListWhatsAppsCommand(actor, OffsetQuery()))
    assert page.total == 1


async def test_start_session_goes_opening_publishes_and_starts(world: World) -> None:
    actor = await admin(world)
    wa = await world.add_whatsapp()
    sessions = FakeSessionController()
    await StartSession(world.uow(), world.clock, world.publisher, sessions).execute(StartSessionCommand(actor, wa.id))
    assert world.state.whatsapps[wa.id].status is ConnectionStatus.OPENING
    assert world.publisher.events == [WhatsAppStatusChanged(wa.id, ConnectionStatus.OPENING, wa.number)]
    assert sessions.started == [wa.id]
    with pytest.raises(WhatsAppNotFound):
        await StartSession(world.uow(), world.clock, world.publisher, sessions).execute(StartSessionCommand(actor, 99))


async def test_pair_code_normalises_the_phone_and_goes_pairing(world: World) -> None:
    actor = await admin(world)
    wa = await world.add_whatsapp()
    use_case = RequestPairCode(world.uow(), world.clock, world.publisher, FakeSessionController())
    assert await use_case.execute(RequestPairCodeCommand(actor, wa.id, "+55 11 99999-0001")) == PairCode("ABCD-EFGH")
    assert world.state.whatsapps[wa.id].status is ConnectionStatus.PAIRING
    with pytest.raises(InvalidInput):
        await use_case.execute(RequestPairCodeCommand(actor, wa.id, "12"))


async def test_qr_codes_and_status_reports_from_the_transport(world: World) -> None:
    actor = await admin(world)
    wa = await world.add_whatsapp()
    await UpdateQrCode(world.uow(), world.clock, world.publisher).execute(UpdateQrCodeCommand(wa.id, "2@abc"))
    assert (world.state.whatsapps[wa.id].status, world.state.whatsapps[wa.id].qrcode) == (
        ConnectionStatus.QRCODE,
        "2@abc",
    )
    assert world.publisher.events == [
        WhatsAppQrCode(wa.id, "2@abc"),
        WhatsAppStatusChanged(wa.id, ConnectionStatus.QRCODE, wa.number),
    ]
    assert await GetQrCode(world.uow()).execute(GetQrCodeCommand(actor, wa.id)) == "2@abc"

    world.publisher.clear()
    await UpdateQrCode(world.uow(), world.clock, world.publisher).execute(UpdateQrCodeCommand(wa.id, "2@def"))
    assert world.publisher.events == [WhatsAppQrCode(wa.id, "2@def")]  # status unchanged: no status event

    world.publisher.clear()
    status = UpdateConnectionStatus(world.uow(), world.clock, world.publisher)
    await status.execute(
        UpdateConnectionStatusCommand(wa.id, ConnectionStatus.CONNECTED, "5511988887777:3@s.whatsapp.net")
    )
    saved = world.state.whatsapps[wa.id]
    assert (saved.status, saved.number, saved.qrcode) == (ConnectionStatus.CONNECTED, "5511988887777", None)
    assert world.publisher.events == [WhatsAppStatusChanged(wa.id, ConnectionStatus.CONNECTED, "5511988887777")]
    with pytest.raises(QrCodeNotFound):
        await GetQrCode(world.uow()).execute(GetQrCodeCommand(actor, wa.id))

    world.publisher.clear()
    await status.execute(UpdateConnectionStatusCommand(wa.id, ConnectionStatus.CONNECTED))
    assert world.publisher.events == []  # nothing changed


async def test_logout_session_disconnects_and_forgets_the_qr(world: World) -> None:
    actor = await admin(world)
    wa = await world.add_whatsapp()
    await UpdateQrCode(world.uow(), world.clock, world.publisher).execute(UpdateQrCodeCommand(wa.id, "2@abc"))
    sessions = FakeSessionController()
    world.publisher.clear()

    await LogoutSession(world.uow(), world.clock, world.publisher, sessions).execute(LogoutSessionCommand(actor, wa.id))

    saved = world.state.whatsapps[wa.id]
    assert (saved.status, saved.qrcode) == (ConnectionStatus.DISCONNECTED, None)
    assert sessions.logged_out == [wa.id]
    assert world.publisher.events == [WhatsAppStatusChanged(wa.id, ConnectionStatus.DISCONNECTED, wa.number)]


async def test_a_ban_is_stored_and_published_with_its_end(world: World) -> None:
    wa = await world.add_whatsapp()
    until = world.clock.now() + timedelta(hours=1)
    status = UpdateConnectionStatus(world.uow(), world.clock, world.publisher)
    world.publisher.clear()

    await status.execute(UpdateConnectionStatusCommand(wa.id, ConnectionStatus.BANNED, banned_until=until))

    saved = world.state.whatsapps[wa.id]
    assert (saved.status, saved.banned_until) == (ConnectionStatus.BANNED, until)
    assert world.publisher.events == [WhatsAppStatusChanged(wa.id, ConnectionStatus.BANNED, wa.number, until)]
    world.publisher.clear()
    await status.execute(UpdateConnectionStatusCommand(wa.id, ConnectionStatus.CONNECTED))
    assert world.state.whatsapps[wa.id].banned_until is None
    assert world.publisher.events == [WhatsAppStatusChanged(wa.id, ConnectionStatus.CONNECTED, wa.number)]
