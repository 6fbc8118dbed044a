"""Simulator mode, the durable inbox through the served app: a handler forced to fail (`fail-inbound`) leaves the
event in `inbox-failures` once its retries are spent, and a retry stores it exactly once; a single failure is
retried by itself."""

from __future__ import annotations

from simulator_harness import Sim, eventually

from whaticket_core.domain.inbox import MAX_INBOX_ATTEMPTS

CUSTOMER = "5511966665555"


async def _failures(sim: Sim, wid: int) -> list[dict[str, object]]:
    return list((await sim.call("GET", f"/whatsapps/{wid}/inbox-failures"))["items"])


async def _customer_messages(sim: Sim) -> list[str]:
    tickets = await sim.tickets()
    return [m["body"] for t in tickets for m in await sim.messages(int(t["id"])) if not m["fromMe"]]


async def test_a_failing_handler_leaves_the_event_visible_and_a_retry_stores_it_once(sim: Sim) -> None:
    wid = await sim.connection()
    failing = {"whatsappId": wid, "count": MAX_INBOX_ATTEMPTS, "error": "database on fire"}
    await sim.call("POST", "/dev/simulator/fail-inbound", 202, json=failing)

    await sim.inbound(wid, CUSTOMER, "Where is my order?", waMessageId="LOST1")

    [failure] = await eventually(
        lambda: _failures(sim, wid),
        lambda items: len(items) == 1 and items[0]["attempts"] == MAX_INBOX_ATTEMPTS,
        "the event to run out of retries",
    )
    assert failure["kind"] == "message"
    assert failure["error"] == "SimulatedHandlerFailure: database on fire"
    assert isinstance(failure["receivedAt"], str)
    assert await sim.tickets() == []  # not processed, but kept
    # WhatsApp delivering it again changes nothing: it is the same stored event.
    await sim.inbound(wid, CUSTOMER, "Where is my order?", waMessageId="LOST1")
    assert len(await _failures(sim, wid)) == 1

    await sim.call("POST", f"/whatsapps/{wid}/inbox-failures/{failure['id']}/retry", 202)

    await eventually(lambda: _failures(sim, wid), lambda items: items == [], "the retry to process it")
    assert await _customer_messages(sim) == ["Where is my order?"]
    again = await sim.http.post(f"/whatsapps/{wid}/inbox-failures/{failure['id']}/retry", headers=sim.headers)
    assert (again.status_code, again.json()["code"]) == (404, "inbox_failure_not_found")
    assert await _customer_messages(sim) == ["Where is my order?"]


async def test_one_failure_is_retried_by_itself(sim: Sim) -> None:
    wid = await sim.connection()
    await sim.call("POST", "/dev/simulator/fail-inbound", 202, json={"whatsappId": wid, "count": 1})

    await sim.inbound(wid, CUSTOMER, "Hello?", waMessageId="RETRIED1")

    await eventually(lambda: _customer_messages(sim), lambda bodies: bodies == ["Hello?"], "the automatic retry")
    assert await _failures(sim, wid) == []


async def test_inbox_failures_of_an_unknown_connection_are_not_found(sim: Sim) -> None:
    missing = await sim.http.get("/whatsapps/999/inbox-failures", headers=sim.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "whatsapp_not_found")
