"""Simulator mode, customers writing: the routing bot's menu and the choice, redeliveries stored once, a burst of
simultaneous messages from a new number, group chats (ignored by default, a ticket when enabled) and a photo."""

from __future__ import annotations

import asyncio
import base64

import httpx
from simulator_harness import OUTBOX_FIELDS, Sim, eventually, on_ticket, wait_count

CUSTOMER = "5511988887777"


async def test_the_menu_then_the_choice_routes_the_ticket(sim: Sim) -> None:
    rec = await sim.socket()
    sales = await sim.queue("Sales", "#FF0000", "Sales here, {{name}}!")
    support = await sim.queue("Support", "#00FF00", "Support here, {{name}}. What happened?")
    wid = await sim.connection(greetingMessage="Hi! Pick a department:", queueIds=[sales, support])

    await sim.inbound(wid, "+55 11 98888-7777", "my order is late", name="Maria")
    created = await rec.wait_for("ticket:created")
    ticket = created["ticket"]
    assert (ticket["status"], ticket["queueId"], ticket["contact"]["number"]) == ("pending", None, CUSTOMER)
    assert ticket["contact"]["name"] == "Maria"

    [menu] = await sim.sent_texts(wid, 1)
    assert set(menu) >= OUTBOX_FIELDS
    assert (menu["to"], menu["media"], menu["quotedWaMessageId"]) == (CUSTOMER, None, None)
    assert menu["body"].startswith("Hi! Pick a department:")
    assert "*1* - Sales" in menu["body"]
    assert "*2* - Support" in menu["body"]
    bodies = [m["message"]["body"] for m in await wait_count(rec, "message:created", on_ticket(ticket["id"]), 2)]
    assert bodies == ["my order is late", menu["body"]]

    await sim.inbound(wid, CUSTOMER, "2")
    routed = await rec.wait_for("ticket:updated", lambda d: d["ticket"]["queueId"] == support)
    assert (routed["ticket"]["id"], routed["ticket"]["status"]) == (ticket["id"], "pending")
    [greeting] = await sim.sent_texts(wid, 1, after=menu["seq"])
    assert (greeting["to"], greeting["body"]) == (CUSTOMER, "Support here, Maria. What happened?")
    assert (await sim.call("GET", f"/tickets/{ticket['id']}"))["queueId"] == support
    assert len(await sim.tickets()) == 1


async def test_a_redelivered_message_is_stored_once(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()

    first = await sim.inbound(wid, CUSTOMER, "hello", waMessageId="WAMSG-1")
    again = await sim.inbound(wid, CUSTOMER, "hello", waMessageId="WAMSG-1")
    generated = await sim.inbound(wid, CUSTOMER, "still there?")
    assert first == again == "WAMSG-1"
    assert generated not in ("", "WAMSG-1")

    [ticket] = await sim.tickets()
    assert [m["body"] for m in await sim.messages(ticket["id"])] == ["hello", "still there?"]
    assert ticket["unreadMessages"] == 2
    # The last message's event came after any the redelivery could have caused: it caused none.
    await wait_count(rec, "message:created", lambda d: d["message"]["body"] == "still there?", 1)
    assert len(rec.received("message:created", lambda d: d["message"]["body"] == "hello")) == 1


async def test_thirty_simultaneous_messages_from_a_new_number_make_one_ticket(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()

    await asyncio.gather(*(sim.inbound(wid, CUSTOMER, f"message {n}", name="Rush") for n in range(30)))

    [ticket] = await sim.tickets()
    assert (ticket["status"], ticket["unreadMessages"]) == ("pending", 30)
    bodies = [m["body"] for m in await sim.messages(ticket["id"])]
    assert sorted(bodies) == sorted(f"message {n}" for n in range(30))
    assert (await sim.call("GET", "/contacts", params={"search": CUSTOMER}))["total"] == 1
    events = await wait_count(rec, "message:created", on_ticket(ticket["id"]), 30)
    assert len(events) == 30
    assert [e["ticket"]["id"] for e in rec.received("ticket:created")] == [ticket["id"]]
    unread = await wait_count(rec, "ticket:updated", lambda d: d["ticket"]["unreadMessages"] == 30, 1)
    assert unread[0]["ticket"]["id"] == ticket["id"]


async def test_group_messages_are_ignored_by_default_and_a_ticket_when_enabled(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    group = {"id": "120363012345678901@g.us", "name": "Wholesale buyers", "participant": "5511977776666"}

    await sim.inbound(wid, "5511977776666", "anyone from the shop here?", group=group)
    # A direct message after it: once its ticket shows, the group message has been handled (and dropped).
    await sim.inbound(wid, CUSTOMER, "a direct question")
    await rec.wait_for("ticket:created")
    tickets = await sim.tickets()
    assert [(t["contact"]["number"], t["isGroup"]) for t in tickets] == [(CUSTOMER, False)]
    assert rec.received("ticket:created", lambda d: d["ticket"]["isGroup"]) == []

    await sim.call("PUT", "/settings/groupMessages", json={"value": "ticket"})
    await sim.inbound(wid, "5511977776666", "anyone from the shop here?", group=group)
    created = (await rec.wait_for("ticket:created", lambda d: d["ticket"]["isGroup"]))["ticket"]
    assert (created["contact"]["name"], created["contact"]["isGroup"]) == ("Wholesale buyers", True)
    [message] = await sim.messages(created["id"])
    assert (message["body"], message["fromMe"], message["participant"]) == (
        "anyone from the shop here?",
        False,
        "5511977776666",
    )
    assert len(await sim.tickets()) == 2


async def test_a_customers_photo_is_downloaded_and_served(sim: Sim) -> None:
    rec = await sim.socket()
    wid = await sim.connection()
    photo = b"\xff\xd8\xff\xe0 a small jpeg"
    media = {"type": "image", "mimeType": "image/jpeg", "base64": base64.b64encode(photo).decode(), "fileName": "a.jpg"}

    await sim.inbound(wid, CUSTOMER, "look at this", media=media)

    created = (await rec.wait_for("message:created"))["message"]
    assert (created["mediaType"], created["body"]) == ("image", "look at this")

    async def fetch() -> httpx.Response:
        return await sim.http.get(f"/messages/{created['id']}/media", headers=sim.headers)

    served = await eventually(fetch, lambda r: r.status_code == 200, "the photo downloaded by its job")
    assert (served.content, served.headers["content-type"]) == (photo, "image/jpeg")
