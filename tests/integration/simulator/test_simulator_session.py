"""Simulator mode, the session: start -> QRCODE with a QR (as PNG and SVG) -> scan -> CONNECTED with a number; a
drop reconnects by itself; the dev routes are documented, and name unknown connections as the contract says."""

from __future__ import annotations

from simulator_harness import Sim, wait_count


def _about(whatsapp_id: int, status: str | None = None) -> object:
    return lambda d: d.get("whatsappId") == whatsapp_id and (status is None or d.get("status") == status)


async def test_start_scan_connected_with_events_and_qr_images(sim: Sim) -> None:
    rec = await sim.socket()
    wid = (await sim.call("POST", "/whatsapps", 201, json={"name": "Main"}))["id"]

    started = await sim.call("POST", f"/whatsapps/{wid}/session")
    assert started["status"] == "OPENING"  # the contract's "QR codes follow"
    qr = await rec.wait_for("whatsapp:qrcode", _about(wid))
    assert (await sim.call("GET", f"/whatsapps/{wid}"))["status"] == "QRCODE"
    assert isinstance(qr["qrcode"], str)
    assert qr["qrcode"]
    statuses = await wait_count(rec, "whatsapp:connection", _about(wid), 2)
    assert [s["status"] for s in statuses] == ["OPENING", "QRCODE"]

    png = await sim.http.get(f"/whatsapps/{wid}/qrcode", headers=sim.headers)
    assert (png.status_code, png.headers["content-type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = await sim.http.get(f"/whatsapps/{wid}/qrcode", params={"format": "svg"}, headers=sim.headers)
    assert (svg.status_code, svg.headers["content-type"].split(";")[0]) == (200, "image/svg+xml")
    assert b"<svg" in svg.content

    refused = await sim.http.post("/dev/simulator/inbound", json={"whatsappId": wid, "from": "1", "body": "x"})
    assert refused.status_code == 401
    early = await sim.http.post(
        "/dev/simulator/inbound", json={"whatsappId": wid, "from": "5511911110000", "body": "hi"}, headers=sim.headers
    )
    assert (early.status_code, early.json()["code"]) == (409, "whatsapp_not_connected")

    scanned = await sim.call("POST", f"/dev/simulator/whatsapps/{wid}/scan", 202)
    assert scanned["number"].isdigit()
    connected = await rec.wait_for("whatsapp:connection", _about(wid, "CONNECTED"))
    assert connected == {"whatsappId": wid, "status": "CONNECTED", "number": scanned["number"]}
    shown = await sim.call("GET", f"/whatsapps/{wid}")
    assert (shown["status"], shown["number"]) == ("CONNECTED", scanned["number"])
    gone = await sim.http.get(f"/whatsapps/{wid}/qrcode", headers=sim.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "qrcode_not_found")

    again = await sim.http.post(f"/dev/simulator/whatsapps/{wid}/scan", headers=sim.headers)
    assert (again.status_code, again.json()["code"]) == (409, "whatsapp_not_connected")


async def test_a_dropped_connection_reconnects_by_itself(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    await rec.wait_for("whatsapp:connection", _about(wid, "CONNECTED"))

    await sim.call("POST", f"/dev/simulator/whatsapps/{wid}/drop", 202)
    await rec.wait_for("whatsapp:connection", _about(wid, "OPENING"))
    lost = await sim.http.post(
        "/dev/simulator/inbound", json={"whatsappId": wid, "from": "5511911110000", "body": "hi"}, headers=sim.headers
    )
    assert (lost.status_code, lost.json()["code"]) == (409, "whatsapp_not_connected")

    # Back after the reconnect backoff, as the same number, without anyone asking.
    await wait_count(rec, "whatsapp:connection", _about(wid, "CONNECTED"), 2)
    statuses = rec.received("whatsapp:connection", _about(wid))
    assert [s["status"] for s in statuses[-3:]] == ["CONNECTED", "OPENING", "CONNECTED"]
    assert statuses[-1]["number"] == statuses[-3]["number"]
    assert (await sim.call("GET", f"/whatsapps/{wid}"))["status"] == "CONNECTED"
    await sim.inbound(wid, "5511911110000", "back online?")


async def test_unknown_connections_are_not_found(sim: Sim) -> None:
    calls = [
        ("POST", "/dev/simulator/inbound", {"json": {"whatsappId": 999, "from": "5511911110000", "body": "hi"}}),
        ("POST", "/dev/simulator/receipt", {"json": {"whatsappId": 999, "waMessageIds": ["X"], "type": "read"}}),
        ("POST", "/dev/simulator/fail-next", {"json": {"whatsappId": 999, "count": 1, "error": "boom"}}),
        ("GET", "/dev/simulator/outbox", {"params": {"whatsappId": 999}}),
        ("POST", "/dev/simulator/whatsapps/999/scan", {}),
        ("POST", "/dev/simulator/whatsapps/999/drop", {}),
        ("POST", "/dev/simulator/whatsapps/999/state", {"json": {"status": "OUTDATED"}}),
        ("POST", "/dev/simulator/fail-inbound", {"json": {"whatsappId": 999, "count": 1}}),
    ]
    for method, path, kwargs in calls:
        response = await sim.http.request(method, path, headers=sim.headers, **kwargs)
        assert (response.status_code, response.json()["code"]) == (404, "whatsapp_not_found"), (method, path)


async def test_the_dev_routes_are_in_the_openapi_document(sim: Sim) -> None:
    spec = (await sim.http.get(f"{sim.url}/docs/openapi.json")).json()
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/dev/simulator/")
        for method in operations
    }
    assert documented == {
        ("POST", "/api/v1/dev/simulator/inbound"),
        ("POST", "/api/v1/dev/simulator/receipt"),
        ("GET", "/api/v1/dev/simulator/outbox"),
        ("POST", "/api/v1/dev/simulator/whatsapps/{whatsapp_id}/scan"),
        ("POST", "/api/v1/dev/simulator/whatsapps/{whatsapp_id}/drop"),
        ("POST", "/api/v1/dev/simulator/fail-next"),
        ("POST", "/api/v1/dev/simulator/decrypt"),
        ("POST", "/api/v1/dev/simulator/lid-mapping"),
        ("POST", "/api/v1/dev/simulator/call"),
        ("POST", "/api/v1/dev/simulator/history"),
        ("POST", "/api/v1/dev/simulator/whatsapps/{whatsapp_id}/state"),
        ("POST", "/api/v1/dev/simulator/fail-inbound"),
    }
    inbound = spec["paths"]["/api/v1/dev/simulator/inbound"]["post"]
    assert {"202", "401", "403", "404"} <= set(inbound["responses"])
