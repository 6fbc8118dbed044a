"""A connection's WhatsApp session: admins start, pair and log out; transports report status and QR codes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.errors import QrCodeNotFound
from whaticket_core.domain.events import DomainEvent, WhatsAppQrCode, WhatsAppStatusChanged
from whaticket_core.domain.numbers import normalize_number
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import SessionController
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.connections.whatsapps import load_whatsapp
from whaticket_core.use_cases.shared.guards import require_admin
from whaticket_core.use_cases.shared.outbox import commit_with


def _status_event(whatsapp: WhatsApp) -> WhatsAppStatusChanged:
    return WhatsAppStatusChanged(whatsapp.id, whatsapp.status, whatsapp.number, whatsapp.banned_until)


@dataclass(frozen=True, slots=True)
class StartSessionCommand:
    actor: Viewer
    whatsapp_id: int


class StartSession:
    """Admin only. The connection goes ``OPENING`` (stale QR dropped, ``whatsapp:connection`` published) and the
    session controller is asked to start; QR codes and status follow through :class:`UpdateQrCode` and
    :class:`UpdateConnectionStatus`."""

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, sessions: SessionController) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._sessions = sessions

    async def execute(self, command: StartSessionCommand) -> WhatsApp:
        require_admin(command.actor, "start sessions")
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            whatsapp.enter(ConnectionStatus.OPENING)
            whatsapp.updated_at = self._clock.now()
            await uow.whatsapps.save(whatsapp)
            events = await commit_with(uow, [_status_event(whatsapp)])
        await self._publisher.publish(events)
        await self._sessions.start_session(whatsapp.id)
        return whatsapp


@dataclass(frozen=True, slots=True)
class RequestPairCodeCommand:
    actor: Viewer
    whatsapp_id: int
    phone_number: str


@dataclass(frozen=True, slots=True)
class PairCode:
    code: str


class RequestPairCode:
    """Admin only. Link the device by code instead of QR: the phone number is normalised (``validation_error``), the
    controller returns the code to type on the phone, and the connection goes ``PAIRING``."""

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, sessions: SessionController) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._sessions = sessions

    async def execute(self, command: RequestPairCodeCommand) -> PairCode:
        require_admin(command.actor, "pair connections")
        phone = normalize_number(command.phone_number)
        async with self._uow as uow:
            await load_whatsapp(uow, command.whatsapp_id)
        code = await self._sessions.request_pair_code(command.whatsapp_id, phone)
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            whatsapp.enter(ConnectionStatus.PAIRING)
            whatsapp.updated_at = self._clock.now()
            await uow.whatsapps.save(whatsapp)
            events = await commit_with(uow, [_status_event(whatsapp)])
        await self._publisher.publish(events)
        return PairCode(code)


@dataclass(frozen=True, slots=True)
class LogoutSessionCommand:
    actor: Viewer
    whatsapp_id: int


class LogoutSession:
    """Admin only. The linked device is logged out and forgotten; the connection goes ``DISCONNECTED`` with no QR."""

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, sessions: SessionController) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._sessions = sessions

    async def execute(self, command: LogoutSessionCommand) -> WhatsApp:
        require_admin(command.actor, "log out sessions")
        async with self._uow as uow:
            await load_whatsapp(uow, command.whatsapp_id)
        await self._sessions.logout(command.whatsapp_id)
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            whatsapp.enter(ConnectionStatus.DISCONNECTED)
            whatsapp.updated_at = self._clock.now()
            await uow.whatsapps.save(whatsapp)
            events = await commit_with(uow, [_status_event(whatsapp)])
        await self._publisher.publish(events)
        return whatsapp


@dataclass(frozen=True, slots=True)
class UpdateConnectionStatusCommand:
    whatsapp_id: int
    status: ConnectionStatus
    # The linked number (any format, JIDs included), when the transport knows it.
    number: str | None = None
    # With BANNED: when WhatsApp lifts the ban.
    banned_until: datetime | None = None


class UpdateConnectionStatus:
    """Called by transports. Stores the status (and number, normalised; with ``BANNED`` the ban's end); any status
    but ``QRCODE`` drops the QR. Publishes ``whatsapp:connection`` only when status, number or ban end changed.
    ``whatsapp_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: UpdateConnectionStatusCommand) -> WhatsApp:
        number = None if command.number is None else normalize_number(command.number)
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            changed = whatsapp.enter(command.status, number=number, banned_until=command.banned_until)
            if changed:
                whatsapp.updated_at = self._clock.now()
            await uow.whatsapps.save(whatsapp)
            events = await commit_with(uow, [_status_event(whatsapp)] if changed else [])
        if events:
            await self._publisher.publish(events)
        return whatsapp


@dataclass(frozen=True, slots=True)
class UpdateQrCodeCommand:
    whatsapp_id: int
    qrcode: str


class UpdateQrCode:
    """Called by transports with each new QR code: stored, status ``QRCODE``; publishes ``whatsapp:qrcode`` (and
    ``whatsapp:connection`` when the status changed)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: UpdateQrCodeCommand) -> WhatsApp:
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            status_changed = whatsapp.enter(ConnectionStatus.QRCODE, qrcode=command.qrcode)
            whatsapp.updated_at = self._clock.now()
            await uow.whatsapps.save(whatsapp)
            events: list[DomainEvent] = [WhatsAppQrCode(whatsapp.id, command.qrcode)]
            if status_changed:
                events.append(_status_event(whatsapp))
            await commit_with(uow, events)
        await self._publisher.publish(events)
        return whatsapp


@dataclass(frozen=True, slots=True)
class GetQrCodeCommand:
    actor: Viewer
    whatsapp_id: int


class GetQrCode:
    """Admin only. The current QR string to render; ``qrcode_not_found`` when the connection is not showing one."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetQrCodeCommand) -> str:
        require_admin(command.actor, "see QR codes")
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id)
        if whatsapp.qrcode is None or whatsapp.status is not ConnectionStatus.QRCODE:
            raise QrCodeNotFound(f"Connection {whatsapp.id} has no QR code now", whatsapp_id=whatsapp.id)
        return whatsapp.qrcode
