"""Sessions WhatsApp ends, from neonize's own event objects: a removed device (LoggedOut), an outdated client
(ClientOutdated, ConnectFailure 405), a temporary ban (TemporaryBan with its Expire): each is reported once as its
status, and none loops reconnecting; a ban is waited out and the session starts again by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from neonize.aioze.events import ClientOutdatedEv, ConnectFailureEv, LoggedOutEv, TemporaryBanEv
from neonize.proto.Neonize_pb2 import ConnectFailureReason
from neonize_world import World, settle, wa_fixture  # noqa: F401  (the wa fixture)

from whaticket_adapters.whatsapp.neonize.inbound import ban_end
from whaticket_core.domain.whatsapp import ConnectionStatus


async def wait_until(condition: Callable[[], bool], turns: int = 10_000) -> None:
    """Let the loop run until ``condition`` holds (a bounded number of turns, no wall-clock wait)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def _statuses(wa: World, whatsapp_id: int = 1) -> list[ConnectionStatus]:
    return [status for wid, status, _number in wa.recorder.statuses if wid == whatsapp_id]


async def _ends_without_reconnecting(wa: World, event_type: type, event: object, status: ConnectionStatus) -> None:
    client = await wa.connected(1)
    await client.fire(event_type, event)
    await settle()
    assert _statuses(wa)[-1] is status
    assert _statuses(wa).count(status) == 1
    assert not wa.transport.holds(1)
    assert len(client.connect_tasks) == 1  # never dialled again
    assert wa.recorder.sleeps == []  # no reconnect backoff either


@pytest.mark.parametrize(
    "reason",
    [ConnectFailureReason.LOGGED_OUT, ConnectFailureReason.MAIN_DEVICE_GONE, ConnectFailureReason.UNKNOWN_LOGOUT],
)
async def test_a_device_removed_from_the_phone_is_logged_out(wa: World, reason: int) -> None:
    await _ends_without_reconnecting(
        wa, LoggedOutEv, LoggedOutEv(OnConnect=False, Reason=reason), ConnectionStatus.LOGGED_OUT
    )


async def test_an_outdated_client_is_outdated(wa: World) -> None:
    await _ends_without_reconnecting(wa, ClientOutdatedEv, ClientOutdatedEv(), ConnectionStatus.OUTDATED)


async def test_a_connect_failure_405_is_outdated(wa: World) -> None:
    failure = ConnectFailureEv(Reason=ConnectFailureReason.CLIENT_OUTDATED, Message="405")
    await _ends_without_reconnecting(wa, ConnectFailureEv, failure, ConnectionStatus.OUTDATED)


async def test_other_connect_failures_are_left_to_the_reconnect_loop(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(ConnectFailureEv, ConnectFailureEv(Reason=ConnectFailureReason.SERVICE_UNAVAILABLE))
    await settle()
    assert wa.transport.holds(1)
    assert _statuses(wa)[-1] is ConnectionStatus.CONNECTED


def test_a_ban_ends_expire_seconds_later() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    ban = TemporaryBanEv(Code=TemporaryBanEv.SEND_TO_TOO_MANY_PEOPLE, Expire=3600)
    assert ban_end(ban, now) == now + timedelta(hours=1)


async def test_a_ban_is_reported_with_its_end_then_waited_out_and_the_session_resumes(wa: World) -> None:
    client = await wa.connected(1)
    before = datetime.now(UTC)
    await client.fire(TemporaryBanEv, TemporaryBanEv(Code=TemporaryBanEv.BLOCKED_BY_USERS, Expire=600))
    await wait_until(lambda: wa.clients["whaticket-1"] is not client and ConnectionStatus.OPENING in _statuses(wa)[-1:])

    # BANNED (once), then the new session dialling after the wait: OPENING, never DISCONNECTED between.
    assert _statuses(wa)[-2:] == [ConnectionStatus.BANNED, ConnectionStatus.OPENING]
    [(wid, until)] = wa.recorder.bans
    assert wid == 1
    assert before + timedelta(seconds=600) <= until <= datetime.now(UTC) + timedelta(seconds=600)
    # The ban's wait went through the transport's sleep (about 600 s), then a new session was started.
    assert len(wa.recorder.sleeps) == 1
    assert 590 <= wa.recorder.sleeps[0] <= 600
    assert wa.transport.holds(1)
    resumed = wa.clients["whaticket-1"]
    assert resumed is not client


async def test_a_session_stopped_during_its_ban_does_not_resume(wa: World) -> None:
    blocker = WaitForever()
    wa.transport._sleep = blocker.wait_forever  # the ban's wait never ends by itself here
    client = await wa.connected(1)
    await client.fire(TemporaryBanEv, TemporaryBanEv(Code=TemporaryBanEv.BLOCKED_BY_USERS, Expire=600))
    await settle()
    await wa.transport.stop_session(1)
    await settle()
    assert not wa.transport.holds(1)
    assert blocker.cancelled


class WaitForever:
    """A sleep that waits until cancelled, and says whether it was."""

    def __init__(self) -> None:
        self.cancelled = False

    async def wait_forever(self, _seconds: float) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
