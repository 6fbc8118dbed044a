"""Simulator mode, a ticket's end and return: the farewell goes out on close, and a customer writing again within the
reopen window brings the same ticket back to `pending`."""

from __future__ import annotations

from typing import Any

from simulator_harness import Sim, on_ticket, wait_count

CUSTOMER = "5511988887777"


async def _accepted_ticket(sim: Sim, wid: int) -> dict[str, Any]:
    await sim.inbound(wid, CUSTOMER, "hello", name="Maria")
    [ticket] = await sim.tickets()
    accepted = await sim.call("POST", f"/tickets/{ticket['id']}/accept")
    assert accepted["status"] == "open"
    return dict(accepted)


async def test_closing_sends_the_farewell(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection(farewellMessage="Thanks for writing, {{name}}. Bye!")
    ticket = await _accepted_ticket(sim, wid)

    closed = await sim.call("POST", f"/tickets/{ticket['id']}/close")
    assert (closed["status"], closed["closedAt"] is not None) == ("closed", True)

    assert (await rec.wait_for("ticket:closed", on_ticket(ticket["id"])))["ticket"]["status"] == "closed"
    [farewell] = await sim.sent_texts(wid, 1)
    assert (farewell["to"], farewell["body"]) == (CUSTOMER, "Thanks for writing, Maria. Bye!")
    stored = (await sim.messages(ticket["id"]))[-1]
    assert (stored["body"], stored["fromMe"]) == ("Thanks for writing, Maria. Bye!", True)
    created = await rec.wait_for("message:created", lambda d: d["message"]["id"] == stored["id"])
    assert created["ticket"]["id"] == ticket["id"]
    sent = await rec.wait_for("message:updated", lambda d: d["message"]["id"] == stored["id"])
    assert sent["message"]["ack"] == "sent"


async def test_a_customer_writing_soon_after_close_reopens_the_same_ticket(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    ticket = await _accepted_ticket(sim, wid)
    await sim.call("POST", f"/tickets/{ticket['id']}/read", 204)
    await sim.call("POST", f"/tickets/{ticket['id']}/close")
    await rec.wait_for("ticket:closed", on_ticket(ticket["id"]))

    await sim.inbound(wid, CUSTOMER, "one more thing")

    back = await rec.wait_for(
        "ticket:updated", lambda d: on_ticket(ticket["id"])(d) and d["ticket"]["status"] == "pending"
    )
    assert (back["ticket"]["userId"], back["ticket"]["closedAt"], back["ticket"]["unreadMessages"]) == (None, None, 1)
    [only] = await sim.tickets()
    assert (only["id"], only["status"]) == (ticket["id"], "pending")
    assert [m["body"] for m in await sim.messages(ticket["id"])] == ["hello", "one more thing"]
    assert [e["ticket"]["id"] for e in rec.received("ticket:created")] == [ticket["id"]]  # no second ticket
    await wait_count(rec, "message:created", on_ticket(ticket["id"]), 1)
