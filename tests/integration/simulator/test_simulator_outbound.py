"""Simulator mode, the business answering: failed sends retried, `failed` once the retries are spent, receipts moving
acks to `read`, and every kind of outbox item (text, media, quoted, edit, delete, read receipts) with `after`."""

from __future__ import annotations

import base64

from simulator_harness import OUTBOX_FIELDS, Sim, eventually, on_message, wait_count

from whaticket_core.use_cases.messages.deliver_message import DEFAULT_MAX_ATTEMPTS

CUSTOMER = "5511988887777"
CUSTOMER_WA_ID = "3A0CUSTOMER0001"


async def _conversation(sim: Sim) -> tuple[int, int]:
    """A connection and the ticket of a customer who wrote on it."""
    wid = await sim.connection()
    await sim.inbound(wid, CUSTOMER, "hello", name="Maria", waMessageId=CUSTOMER_WA_ID)
    [ticket] = await sim.tickets()
    return wid, int(ticket["id"])


async def _reply(sim: Sim, ticket_id: int, body: str, **extra: object) -> dict[str, object]:
    message = await sim.call("POST", "/messages", 201, json={"ticketId": ticket_id, "body": body, **extra})
    assert message["ack"] == "pending"
    return dict(message)


async def test_sends_that_fail_are_retried_until_sent(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    await sim.call("POST", "/dev/simulator/fail-next", 202, json={"whatsappId": wid, "count": 2, "error": "timeout"})

    reply = await _reply(sim, ticket, "Your order ships today")

    updated = await rec.wait_for("message:updated", on_message(reply["id"]))
    assert (updated["message"]["ack"], updated["message"]["error"]) == ("sent", None)
    assert (await sim.message(reply["id"]))["ack"] == "sent"
    sent = [(i["to"], i["body"]) for i in await sim.outbox(wid)]
    assert sent == [(CUSTOMER, "Your order ships today")]  # the two failed tries sent nothing


async def test_a_send_failing_every_try_ends_failed_with_the_error(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    failures = {"whatsappId": wid, "count": DEFAULT_MAX_ATTEMPTS, "error": "recipient unreachable"}
    await sim.call("POST", "/dev/simulator/fail-next", 202, json=failures)

    reply = await _reply(sim, ticket, "Are you there?")

    updated = await rec.wait_for("message:updated", on_message(reply["id"]))
    assert (updated["message"]["ack"], updated["message"]["error"]) == ("failed", "recipient unreachable")
    stored = await sim.message(reply["id"])
    assert (stored["ack"], stored["error"]) == ("failed", "recipient unreachable")
    assert await sim.outbox(wid) == []
    # Every try was spent on that message: the next one goes through at once.
    after = await _reply(sim, ticket, "Trying again")
    assert (await rec.wait_for("message:updated", on_message(after["id"])))["message"]["ack"] == "sent"


async def test_receipts_move_the_ack_to_delivered_then_read(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    reply = await _reply(sim, ticket, "Here is your invoice")
    [sent] = await sim.sent_texts(wid, 1)

    receipt = {"whatsappId": wid, "waMessageIds": [sent["waMessageId"]], "type": "delivered"}
    await sim.call("POST", "/dev/simulator/receipt", 202, json=receipt)
    await sim.call("POST", "/dev/simulator/receipt", 202, json={**receipt, "type": "read"})

    acks = [e["message"]["ack"] for e in await wait_count(rec, "message:updated", on_message(reply["id"]), 3)]
    assert acks == ["sent", "delivered", "read"]
    assert (await sim.message(reply["id"]))["ack"] == "read"


async def test_the_outbox_holds_every_kind_of_send_in_order(sim: Sim) -> None:
    wid, ticket = await _conversation(sim)
    [customer_message] = await sim.messages(ticket)
    photo = b"\x89PNG\r\n\x1a\n not really a picture"

    quoting = await _reply(sim, ticket, "About this:", quotedMessageId=customer_message["id"])
    [text] = await sim.sent_texts(wid, 1)
    files = {"file": ("invoice.png", photo, "image/png")}
    media = await sim.call("POST", "/messages", 201, data={"ticketId": str(ticket), "body": "the file"}, files=files)
    await eventually(lambda: sim.message(media["id"]), lambda m: m["ack"] == "sent", "the media message sent")
    await eventually(lambda: sim.message(quoting["id"]), lambda m: m["ack"] == "sent", "the text sent")
    await sim.call("PUT", f"/messages/{quoting['id']}", json={"body": "About this one:"})
    await sim.call("DELETE", f"/messages/{media['id']}", 204)
    await sim.call("POST", f"/tickets/{ticket}/read", 204)

    items = await eventually(
        lambda: sim.outbox(wid), lambda items: len(items) == 5, "text, media, edit, delete and read receipt"
    )
    assert all(set(i) >= OUTBOX_FIELDS for i in items)
    assert [i["kind"] for i in items] == ["text", "media", "edit", "delete", "read-receipt"]
    assert {i["to"] for i in items} == {CUSTOMER}
    assert text["quotedWaMessageId"] == CUSTOMER_WA_ID
    assert (items[1]["body"], items[1]["media"]["type"], items[1]["media"]["mimeType"]) == (
        "the file",
        "image",
        "image/png",
    )
    assert base64.b64decode(items[1]["media"]["base64"]) == photo
    assert (items[2]["waMessageId"], items[2]["body"]) == (text["waMessageId"], "About this one:")
    assert items[3]["waMessageId"] == items[1]["waMessageId"]
    assert items[4]["waMessageIds"] == [CUSTOMER_WA_ID]
    assert await sim.outbox(wid, after=items[-1]["seq"]) == []
    assert [i["kind"] for i in await sim.outbox(wid, after=items[2]["seq"])] == ["delete", "read-receipt"]
