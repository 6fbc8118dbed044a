"""NeonizeTransport's sessions against a fake neonize client: connect, QR, reconnect, stop, logout, pairing."""

from __future__ import annotations

from pathlib import Path

from neonize.aioze.events import ConnectedEv, DisconnectedEv, LoggedOutEv
from neonize.exc import NeonizeError
from neonize_world import (
    ME,
    World,
    settle,
    wa_fixture,  # noqa: F401  (the wa fixture)
)

from whaticket_adapters.whatsapp.neonize import session_store_for
from whaticket_core.domain.whatsapp import ConnectionStatus

# -- sessions --------------------------------------------------------------------------------------------------------


async def test_session_connects_and_reports_the_linked_number(wa: World, tmp_path: Path) -> None:
    client = await wa.connected(1)
    assert client.store == str(tmp_path / "whatsapp-1.db")
    assert wa.recorder.statuses == [(1, ConnectionStatus.OPENING, None), (1, ConnectionStatus.CONNECTED, ME.User)]
    assert wa.transport.is_connected(1)


async def test_starting_twice_keeps_one_session(wa: World) -> None:
    await wa.transport.start_session(1)
    await wa.transport.start_session(1)
    assert list(wa.clients) == ["whaticket-1"]


async def test_qr_codes_go_to_the_core_and_an_unscanned_session_times_out(wa: World) -> None:
    wa.next_outcomes = ["hold"]
    await wa.transport.start_session(2)
    await settle()
    client = wa.clients["whaticket-2"]
    await client.event.qr_handler(client, b"2@abc,def,ghi")
    assert wa.recorder.qrs == [(2, "2@abc,def,ghi")]

    await client.disconnect()  # whatsmeow ends the dial once its QR codes run out
    await settle()
    assert wa.recorder.statuses[-1] == (2, ConnectionStatus.TIMEOUT, None)
    assert not wa.recorder.sleeps  # no reconnect loop of QR codes nobody scans


async def test_failed_dials_reconnect_with_growing_backoff(wa: World) -> None:
    wa.next_outcomes = [NeonizeError("failed to dial"), NeonizeError("failed to dial"), NeonizeError("x")]
    await wa.transport.start_session(3)
    await settle()
    client = wa.clients["whaticket-3"]
    assert wa.recorder.sleeps == [2.0, 4.0, 8.0]
    assert len(client.connect_tasks) == 4  # three failures, then the fourth dial holds

    await client.fire(ConnectedEv, ConnectedEv())
    await client.disconnect()  # an established session drops: start over from the shortest delay
    await settle()
    assert wa.recorder.sleeps[-1] == 1.0
    # Reconnecting shows OPENING; DISCONNECTED is only for sessions that ended.
    assert (3, ConnectionStatus.DISCONNECTED, None) not in wa.recorder.statuses
    assert wa.recorder.statuses[-1] == (3, ConnectionStatus.OPENING, None)


async def test_disconnected_event_shows_opening_while_whatsmeow_reconnects(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(DisconnectedEv, DisconnectedEv())
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.OPENING, None)
    assert not wa.transport.is_connected(1)


async def test_logged_out_from_the_phone_stops_without_reconnecting(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(LoggedOutEv, LoggedOutEv())
    await settle()
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.LOGGED_OUT, None)
    assert not wa.transport.is_connected(1)
    assert len(client.connect_tasks) == 1
    assert not wa.recorder.sleeps


async def test_stop_disconnects_and_never_cancels_the_connect_task(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.stop_session(1)
    task = client.connect_tasks[0]
    assert task.done()
    assert not task.cancelled()
    assert ("disconnect",) in client.calls
    assert ("stop",) in client.calls
    assert ("logout",) not in client.calls


async def test_logout_unlinks_the_device(wa: World, tmp_path: Path) -> None:
    client = await wa.connected(1)
    (tmp_path / "whatsapp-1.db").write_bytes(b"keys")
    await wa.transport.logout(1)
    assert ("logout",) in client.calls
    assert not (tmp_path / "whatsapp-1.db").exists()
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.DISCONNECTED, None)


async def test_pair_code_waits_for_the_websocket_then_asks_neonize(wa: World) -> None:
    await wa.transport.start_session(4)
    await settle()
    client = wa.clients["whaticket-4"]
    await client.event.qr_handler(client, b"QR")
    assert await wa.transport.request_pair_code(4, "+55 (11) 99999-9999") == "ABCD-1234"
    assert ("PairPhone", "5511999999999") in client.calls
    assert wa.recorder.statuses[-1] == (4, ConnectionStatus.PAIRING, None)


def test_session_stores_are_per_connection() -> None:
    assert session_store_for("/data/whatsapp", 5) == "/data/whatsapp/whatsapp-5.db"
    url = session_store_for("postgres://wa:pw@127.0.0.1:5432/whatsmeow?sslmode=require", 5)
    assert url == "postgres://wa:pw@127.0.0.1:5432/whatsmeow_5?sslmode=require"
    assert session_store_for("postgres://wa@db/wm", 6) == "postgres://wa@db/wm_6?sslmode=disable"
