"""/messages: the page of a ticket, one message, sending (JSON, multipart, idempotent), edit, delete, media."""

from __future__ import annotations

import asyncio

import pytest
from api_harness import Live
from api_world import World, ok

from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _deliver(world: World, live: Live) -> None:
    """Run the delivery jobs the API enqueued, as a worker would."""
    for job in live.jobs.take_all():
        if isinstance(job, DeliverMessageJob):
            async with world.app.state.dishka_container() as request:
                use_case = await request.get(DeliverMessage)
                await use_case.execute(DeliverMessageCommand(job.message_id))


async def test_send_stores_pending_and_enqueues_delivery(world: World, live: Live) -> None:
    c, h = world.client, world.agent.headers
    sent = await ok(await c.post("/messages", json={"ticketId": world.t_sales, "body": "Hi there"}, headers=h), 201)
    assert (sent["ack"], sent["fromMe"], sent["body"], sent["ticketId"]) == ("pending", True, "Hi there", world.t_sales)
    assert set(sent) >= {
        "id", "ticketId", "contactId", "fromMe", "body", "ack", "mediaType", "mediaUrl", "quotedMessageId",
        "isEdited", "isDeleted", "error", "createdAt",
    }  # fmt: skip
    # An agent writing on a pending ticket accepts it.
    ticket = await ok(await c.get(f"/tickets/{world.t_sales}", headers=h))
    assert (ticket["status"], ticket["userId"], ticket["lastMessage"]) == ("open", world.agent.id, "Hi there")
    await _deliver(world, live)
    assert [item.body for item in live.sender.outbox] == ["Hi there"]
    delivered = await ok(await c.get(f"/messages/{sent['id']}", headers=h))
    assert delivered["ack"] == "sent"


async def test_send_errors(world: World) -> None:
    c, h = world.client, world.admin.headers
    closed = await c.post("/messages", json={"ticketId": world.t_closed, "body": "Hi"}, headers=h)
    assert (closed.status_code, closed.json()["code"]) == (409, "ticket_closed")
    too_long = await c.post("/messages", json={"ticketId": world.t_sales, "body": "x" * 65_537}, headers=h)
    assert (too_long.status_code, too_long.json()["details"]["fields"]) == (400, ["body"])
    missing = await c.post("/messages", json={"body": "Hi"}, headers=h)
    assert (missing.status_code, missing.json()["details"]["fields"]) == (400, ["ticketId"])
    nowhere = await c.post("/messages", json={"ticketId": 987654, "body": "Hi"}, headers=h)
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "ticket_not_found")
    hidden = await c.post("/messages", json={"ticketId": world.t_hidden, "body": "Hi"}, headers=world.agent.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ticket_not_found")
    xml = await c.post("/messages", content=b"<a/>", headers={**h, "Content-Type": "application/xml"})
    assert xml.status_code == 400


async def test_multipart_upload_and_media_download(world: World, live: Live) -> None:
    c, h = world.client, world.agent.headers
    sent = await ok(
        await c.post(
            "/messages",
            data={"ticketId": str(world.t_sales), "body": "the receipt"},
            files={"file": ("receipt.png", PNG, "image/png")},
            headers=h,
        ),
        201,
    )
    assert (sent["mediaType"], sent["body"]) == ("image", "the receipt")
    assert sent["mediaUrl"] == f"/api/v1/messages/{sent['id']}/media"
    media = await c.get(f"/messages/{sent['id']}/media", headers=h)
    assert (media.status_code, media.headers["content-type"], media.content) == (200, "image/png", PNG)
    assert media.headers["x-content-type-options"] == "nosniff"
    hidden_from = await c.get(f"/messages/{sent['id']}/media", headers=world.other_agent.headers)
    assert hidden_from.status_code == 404
    none = await c.get(f"/messages/{world.m_sales}/media", headers=h)
    assert (none.status_code, none.json()["code"]) == (404, "media_not_found")
    await _deliver(world, live)
    assert live.sender.outbox[-1].media is not None
    assert live.sender.outbox[-1].media.data == PNG
    no_file = await c.post("/messages", data={"ticketId": str(world.t_sales)}, files={"x": ("a", b"1")}, headers=h)
    assert (no_file.status_code, no_file.json()["details"]["fields"]) == (400, ["file"])


async def test_idempotency_key_replays_the_first_answer(world: World) -> None:
    c, h = world.client, world.agent.headers
    key = {"Idempotency-Key": "retry-42"}
    body = {"ticketId": world.t_sales, "body": "only once"}
    first = await c.post("/messages", json=body, headers={**h, **key})
    second = await c.post("/messages", json=body, headers={**h, **key})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    page = await ok(await c.get("/messages", params={"ticketId": world.t_sales}, headers=h))
    assert [m["body"] for m in page["items"]].count("only once") == 1
    # The same key with another body is refused; another user's identical key is theirs alone.
    changed = await c.post("/messages", json={**body, "body": "else"}, headers={**h, **key})
    assert (changed.status_code, changed.json()["code"]) == (409, "idempotency_key_reused")
    theirs = await c.post("/messages", json=body, headers={**world.admin.headers, **key})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]


async def test_concurrent_retries_with_one_key_store_one_message(world: World) -> None:
    c, h = world.client, {**world.agent.headers, "Idempotency-Key": "race"}
    body = {"ticketId": world.t_sales, "body": "racing"}
    answers = await asyncio.gather(*(c.post("/messages", json=body, headers=h) for _ in range(5)))
    assert {a.status_code for a in answers} <= {201, 409}
    page = await ok(await c.get("/messages", params={"ticketId": world.t_sales}, headers=world.agent.headers))
    assert [m["body"] for m in page["items"]].count("racing") == 1


async def test_failed_attempt_frees_the_key(world: World) -> None:
    c, h = world.client, {**world.agent.headers, "Idempotency-Key": "after-error"}
    refused = await c.post("/messages", json={"ticketId": world.t_closed, "body": "x"}, headers=h)
    assert refused.status_code == 409
    await ok(await c.post("/messages", json={"ticketId": world.t_sales, "body": "x"}, headers=h), 201)


async def test_list_pages_newest_first(world: World) -> None:
    c, h = world.client, world.admin.headers
    for n in range(4):
        await ok(await c.post("/messages", json={"ticketId": world.t_sales, "body": f"n{n}"}, headers=h), 201)
    first = await ok(await c.get("/messages", params={"ticketId": world.t_sales, "limit": 3}, headers=h))
    assert [m["body"] for m in first["items"]] == ["n3", "n2", "n1"]
    rest = await ok(
        await c.get(
            "/messages", params={"ticketId": world.t_sales, "limit": 3, "cursor": first["nextCursor"]}, headers=h
        )
    )
    assert [m["body"] for m in rest["items"]] == ["n0", "hello"]
    assert rest["nextCursor"] is None
    hidden = await c.get("/messages", params={"ticketId": world.t_hidden}, headers=world.agent.headers)
    assert hidden.status_code == 404
    no_ticket = await c.get("/messages", headers=h)
    assert (no_ticket.status_code, no_ticket.json()["details"]["fields"]) == (400, ["ticketId"])


async def test_edit_and_delete_own_sent_message(world: World, live: Live) -> None:
    c, h = world.client, world.agent.headers
    sent = await ok(await c.post("/messages", json={"ticketId": world.t_sales, "body": "typo"}, headers=h), 201)
    not_yet = await c.put(f"/messages/{sent['id']}", json={"body": "fixed"}, headers=h)
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "message_not_editable")
    await _deliver(world, live)
    edited = await ok(await c.put(f"/messages/{sent['id']}", json={"body": "fixed"}, headers=h))
    assert (edited["body"], edited["isEdited"]) == ("fixed", True)
    customers = await c.put(f"/messages/{world.m_sales}", json={"body": "no"}, headers=h)
    assert (customers.status_code, customers.json()["code"]) == (409, "message_not_editable")
    await ok(await c.delete(f"/messages/{sent['id']}", headers=h), 204)
    gone = await ok(await c.get(f"/messages/{sent['id']}", headers=h))
    assert gone["isDeleted"] is True
    assert [i.kind for i in live.sender.outbox] == ["text", "edit", "delete"]


@pytest.mark.parametrize("path", ["/messages/987654", "/messages/987654/media"])
async def test_unknown_message_is_404(world: World, path: str) -> None:
    response = await world.client.get(path, headers=world.admin.headers)
    assert (response.status_code, response.json()["code"]) == (404, "message_not_found")
