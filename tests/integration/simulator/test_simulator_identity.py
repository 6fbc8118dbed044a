"""Simulator mode, the real network's harder cases end to end, on PostgreSQL and in the embedded default (SQLite):
a customer known only by LID, the number revealed later (contacts merged), undecryptable placeholders, reactions,
calls and a history backfill."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from realtime_support import serve
from simulator_harness import Sim, eventually, simulator_settings
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import upgrade
from whaticket_api.serve import database_url
from whaticket_api.server import build_server

NUMBER = "5511977776666"
LID = "201234567890123"


@pytest.fixture(params=["postgres", "embedded"])
async def any_sim(
    request: pytest.FixtureRequest,
    pg_url: str,
    pg_engine: AsyncEngine,
    db_reset: Callable[[AsyncEngine], Awaitable[None]],
    tmp_path: Path,
) -> AsyncIterator[Sim]:
    """The served app in simulator mode over PostgreSQL, or over the embedded SQLite default (no DATABASE_URL)."""
    if request.param == "postgres":
        await db_reset(pg_engine)
        settings = simulator_settings(pg_url, tmp_path)
    else:
        settings = dataclasses.replace(simulator_settings(pg_url, tmp_path), database_url=None)
        await upgrade(database_url(settings))  # what `whaticket serve` does before serving
    server, task, url = await serve(build_server(settings))
    http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=60)
    made = Sim(url, http)
    try:
        await made.register()
        yield made
    finally:
        for rec in made.sockets:
            if rec.client.connected:
                await rec.client.disconnect()
        await http.aclose()
        server.should_exit = True
        await task


async def test_a_lid_only_customer_gets_a_ticket_and_an_answer(any_sim: Sim) -> None:
    sim = any_sim
    wid = await sim.connection()
    await sim.call(
        "POST", "/dev/simulator/inbound", 202, json={"whatsappId": wid, "fromLid": LID, "body": "oi", "name": "Rita"}
    )
    [ticket] = await sim.tickets()
    assert (ticket["contact"]["number"], ticket["contact"]["lid"], ticket["contact"]["name"]) == (None, LID, "Rita")
    contact = await sim.call("GET", f"/contacts/{ticket['contact']['id']}")
    assert (contact["number"], contact["lid"]) == (None, LID)

    await sim.call("POST", "/messages", 201, json={"ticketId": ticket["id"], "body": "Hello Rita"})
    [sent] = await sim.sent_texts(wid, 1)
    assert (sent["to"], sent["body"]) == (f"{LID}@lid", "Hello Rita")


async def test_revealing_the_number_merges_the_two_contacts(any_sim: Sim) -> None:
    sim = any_sim
    rec = await sim.socket()
    wid = await sim.connection()
    await sim.inbound(wid, NUMBER, "by number", name="Rita")
    await sim.call("POST", "/dev/simulator/inbound", 202, json={"whatsappId": wid, "fromLid": LID, "body": "by lid"})
    assert len(await sim.tickets()) == 2
    contacts = (await sim.call("GET", "/contacts"))["items"]
    by_number = next(c for c in contacts if c["number"] == NUMBER)
    by_lid = next(c for c in contacts if c["lid"] == LID)

    await sim.call("POST", "/dev/simulator/lid-mapping", 202, json={"whatsappId": wid, "lid": LID, "number": NUMBER})

    merged = await rec.wait_for("contact:merged")
    assert merged == {"contactId": by_lid["id"], "mergedIntoId": by_number["id"]}
    updated = await rec.wait_for("contact:updated", lambda d: d["contact"]["lid"] == LID)
    assert (updated["contact"]["id"], updated["contact"]["number"]) == (by_number["id"], NUMBER)
    [contact] = (await sim.call("GET", "/contacts"))["items"]
    assert (contact["id"], contact["number"], contact["lid"]) == (by_number["id"], NUMBER, LID)
    active = await sim.tickets(status="pending")
    assert len(active) == 1
    assert [m["body"] for m in await sim.messages(active[0]["id"])] == ["by number", "by lid"]

    # WhatsApp now knows the number: a later LID-only message lands on the same contact and ticket, and answers go
    # to the number.
    await sim.call("POST", "/dev/simulator/inbound", 202, json={"whatsappId": wid, "fromLid": LID, "body": "again"})
    assert [m["body"] for m in await sim.messages(active[0]["id"])] == ["by number", "by lid", "again"]
    await sim.call("POST", "/messages", 201, json={"ticketId": active[0]["id"], "body": "Got it"})
    [sent] = await sim.sent_texts(wid, 1)
    assert sent["to"] == NUMBER


async def test_an_undecryptable_message_is_completed_when_its_content_arrives(any_sim: Sim) -> None:
    sim = any_sim
    rec = await sim.socket()
    wid = await sim.connection()
    payload = {"whatsappId": wid, "from": NUMBER, "undecryptable": True, "waMessageId": "WAIT-1"}
    await sim.call("POST", "/dev/simulator/inbound", 202, json=payload)
    [ticket] = await sim.tickets()
    [placeholder] = await sim.messages(ticket["id"])
    assert (placeholder["undecryptable"], placeholder["body"]) == (True, "")

    await sim.call(
        "POST", "/dev/simulator/decrypt", 202, json={"whatsappId": wid, "waMessageId": "WAIT-1", "body": "readable now"}
    )

    update = await rec.wait_for("message:updated", lambda d: d["message"]["id"] == placeholder["id"])
    assert (update["message"]["undecryptable"], update["message"]["body"]) == (False, "readable now")
    assert [(m["id"], m["body"]) for m in await sim.messages(ticket["id"])] == [(placeholder["id"], "readable now")]
    await sim.call("POST", "/dev/simulator/decrypt", 400, json={"whatsappId": wid, "waMessageId": "NEVER", "body": "x"})


async def test_a_reaction_is_attached_to_its_message_and_removed_by_an_empty_emoji(any_sim: Sim) -> None:
    sim = any_sim
    rec = await sim.socket()
    wid = await sim.connection()
    await sim.inbound(wid, NUMBER, "nice offer", waMessageId="M-1")
    [ticket] = await sim.tickets()
    react = {"whatsappId": wid, "from": NUMBER, "reaction": {"waMessageId": "M-1", "emoji": "👍"}}
    await sim.call("POST", "/dev/simulator/inbound", 202, json=react)
    update = await rec.wait_for("message:updated", lambda d: d["message"]["reactions"])
    assert [(r["emoji"], r["fromMe"]) for r in update["message"]["reactions"]] == [("👍", False)]
    [message] = await sim.messages(ticket["id"])
    assert [r["emoji"] for r in message["reactions"]] == ["👍"]

    react["reaction"] = {"waMessageId": "M-1", "emoji": ""}
    await sim.call("POST", "/dev/simulator/inbound", 202, json=react)
    [message] = await sim.messages(ticket["id"])
    assert message["reactions"] == []


async def test_a_call_is_rejected_answered_and_recorded(any_sim: Sim) -> None:
    sim = any_sim
    wid = await sim.connection(rejectCalls=True, callRejectMessage="We cannot take calls, {{name}}. Write here!")
    assert (await sim.call("GET", f"/whatsapps/{wid}"))["rejectCalls"] is True
    await sim.inbound(wid, NUMBER, "hi", name="Rita")
    call_id = (await sim.call("POST", "/dev/simulator/call", 202, json={"whatsappId": wid, "from": NUMBER}))["callId"]

    rejected = await eventually(
        lambda: sim.outbox(wid), lambda items: any(i["kind"] == "reject-call" for i in items), "the rejection"
    )
    assert [(i["to"], i["waMessageId"]) for i in rejected if i["kind"] == "reject-call"] == [(NUMBER, call_id)]
    [answer] = await sim.sent_texts(wid, 1)
    assert answer["body"] == "We cannot take calls, Rita. Write here!"
    [ticket] = await sim.tickets()
    call = next(m for m in await sim.messages(ticket["id"]) if m["mediaType"] == "call")
    assert (call["body"], call["fromMe"]) == ("Rejected voice call", False)


async def test_a_call_is_recorded_as_missed_when_calls_are_accepted(any_sim: Sim) -> None:
    sim = any_sim
    wid = await sim.connection()
    await sim.call("POST", "/dev/simulator/call", 202, json={"whatsappId": wid, "fromLid": LID})
    [ticket] = await sim.tickets()
    [call] = await sim.messages(ticket["id"])
    assert (call["mediaType"], call["body"]) == ("call", "Missed voice call")
    assert not [i for i in await sim.outbox(wid) if i["kind"] == "reject-call"]


async def test_a_backfill_of_500_with_some_already_stored_stores_each_once(any_sim: Sim) -> None:
    sim = any_sim
    wid = await sim.connection()
    live = [i for i in range(500) if i % 9 == 0]
    for i in live:  # these arrived before the connection dropped
        await sim.inbound(wid, NUMBER, f"m{i}", waMessageId=f"H-{i}")
    batch = [{"whatsappId": wid, "from": NUMBER, "body": f"m{i}", "waMessageId": f"H-{i}"} for i in range(500)]

    answer = await sim.call("POST", "/dev/simulator/history", 202, json={"whatsappId": wid, "messages": batch})

    assert answer == {"delivered": 500}
    [ticket] = await sim.tickets()
    stored: list[str] = []
    cursor = None
    while True:
        params = {"ticketId": ticket["id"], "limit": 100} | ({"cursor": cursor} if cursor else {})
        page = await sim.call("GET", "/messages", params=params)
        stored.extend(m["body"] for m in page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(stored) == sorted(f"m{i}" for i in range(500))
    assert [i for i in await sim.outbox(wid) if i["kind"] == "text"] == []  # no bot answer to old messages
