"""Simulator mode, sessions WhatsApp ends: OUTDATED and LOGGED_OUT stay put (no reconnect; a new start of a
logged-out one shows a QR), BANNED carries bannedUntil and comes back CONNECTED by itself after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator_harness import Sim, wait_count
from test_simulator_session import _about


async def test_an_outdated_client_stays_outdated(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    await rec.wait_for("whatsapp:connection", _about(wid, "CONNECTED"))

    await sim.call("POST", f"/dev/simulator/whatsapps/{wid}/state", 202, json={"status": "OUTDATED"})

    event = await rec.wait_for("whatsapp:connection", _about(wid, "OUTDATED"))
    assert "bannedUntil" not in event
    assert (await sim.call("GET", f"/whatsapps/{wid}"))["status"] == "OUTDATED"
    refused = await sim.http.post(
        "/dev/simulator/inbound", json={"whatsappId": wid, "from": "5511911110000", "body": "hi"}, headers=sim.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "whatsapp_not_connected")


async def test_a_device_removed_from_the_phone_needs_a_new_qr(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    await rec.wait_for("whatsapp:connection", _about(wid, "CONNECTED"))

    await sim.call("POST", f"/dev/simulator/whatsapps/{wid}/state", 202, json={"status": "LOGGED_OUT"})

    await rec.wait_for("whatsapp:connection", _about(wid, "LOGGED_OUT"))
    assert (await sim.call("GET", f"/whatsapps/{wid}"))["status"] == "LOGGED_OUT"
    await sim.call("POST", f"/whatsapps/{wid}/session")
    qr = await rec.wait_for("whatsapp:qrcode", _about(wid))
    assert qr["qrcode"]


async def test_a_ban_carries_its_end_and_the_session_resumes_after_it(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    await rec.wait_for("whatsapp:connection", _about(wid, "CONNECTED"))
    until = datetime.now(UTC) + timedelta(seconds=1)

    state = {"status": "BANNED", "bannedUntil": until.isoformat()}
    await sim.call("POST", f"/dev/simulator/whatsapps/{wid}/state", 202, json=state)

    banned = await rec.wait_for("whatsapp:connection", _about(wid, "BANNED"))
    assert datetime.fromisoformat(banned["bannedUntil"]) == until
    shown = await sim.call("GET", f"/whatsapps/{wid}")
    assert (shown["status"], datetime.fromisoformat(shown["bannedUntil"])) == ("BANNED", until)
    # After the ban, CONNECTED again without anyone asking.
    await wait_count(rec, "whatsapp:connection", _about(wid, "CONNECTED"), 2)
    shown = await sim.call("GET", f"/whatsapps/{wid}")
    assert (shown["status"], shown["bannedUntil"]) == ("CONNECTED", None)
    await sim.inbound(wid, "5511911110000", "back after the ban")


async def test_a_ban_needs_its_end_and_only_the_three_endings_are_accepted(sim: Sim) -> None:
    wid = await sim.connection()
    no_end = await sim.http.post(
        f"/dev/simulator/whatsapps/{wid}/state", json={"status": "BANNED"}, headers=sim.headers
    )
    assert (no_end.status_code, no_end.json()["code"]) == (400, "validation_error")
    other = await sim.http.post(
        f"/dev/simulator/whatsapps/{wid}/state", json={"status": "CONNECTED"}, headers=sim.headers
    )
    assert (other.status_code, other.json()["code"]) == (400, "validation_error")
