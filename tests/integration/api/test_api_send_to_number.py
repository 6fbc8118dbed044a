"""POST /messages/send: an integration writes to a number with its API token; retries with a key send once."""

from __future__ import annotations

import base64

from api_harness import Live
from api_world import World, bearer, ok

from whaticket_core.ports.jobs import DeliverMessageJob

NUMBER = "5511988880001"


async def test_a_token_writes_to_a_new_number(world: World, live: Live) -> None:
    token = await world.add_api_token("messages:write")
    sent = await ok(
        await world.client.post(
            "/messages/send", json={"number": "+55 11 98888-0001", "body": "Your order shipped"}, headers=bearer(token)
        ),
        201,
    )
    message, ticket = sent["message"], sent["ticket"]
    assert (message["body"], message["fromMe"], message["ack"]) == ("Your order shipped", True, "pending")
    assert (ticket["status"], ticket["userId"], ticket["contact"]["number"]) == ("open", world.admin.id, NUMBER)
    assert message["ticketId"] == ticket["id"]
    assert DeliverMessageJob(message["id"]) in live.jobs.waiting
    again = await ok(
        await world.client.post(
            "/messages/send", json={"number": NUMBER, "body": "Tracking: 42"}, headers=bearer(token)
        ),
        201,
    )
    assert again["ticket"]["id"] == ticket["id"]


async def test_the_idempotency_key_makes_retries_send_once(world: World) -> None:
    token = await world.add_api_token("messages:write", "messages:read")
    headers = {**bearer(token), "Idempotency-Key": "order-42-shipped"}
    body = {"number": NUMBER, "body": "Shipped"}
    first = await world.client.post("/messages/send", json=body, headers=headers)
    retry = await world.client.post("/messages/send", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    page = await ok(
        await world.client.get("/messages", params={"ticketId": first.json()["ticket"]["id"]}, headers=bearer(token))
    )
    assert [m["body"] for m in page["items"]] == ["Shipped"]
    other = await world.client.post("/messages/send", json={**body, "body": "Other"}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")


async def test_media_inline_as_base64(world: World) -> None:
    token = await world.add_api_token("messages:write")
    media = {"mimeType": "application/pdf", "base64": base64.b64encode(b"%PDF-1.4 x").decode(), "fileName": "a.pdf"}
    sent = await ok(
        await world.client.post(
            "/messages/send", json={"number": NUMBER, "body": "Invoice", "media": media}, headers=bearer(token)
        ),
        201,
    )
    assert sent["message"]["mediaType"] == "document"
    bad = await world.client.post(
        "/messages/send",
        json={"number": NUMBER, "media": {**media, "base64": "not base64!"}},
        headers=bearer(token),
    )
    assert (bad.status_code, bad.json()["details"]["fields"]) == (400, ["media"])


async def test_invalid_numbers_and_unknown_connections(world: World) -> None:
    token = await world.add_api_token("messages:write")
    bad = await world.client.post("/messages/send", json={"number": "12", "body": "x"}, headers=bearer(token))
    assert (bad.status_code, bad.json()["details"]["fields"]) == (400, ["number"])
    missing = await world.client.post(
        "/messages/send", json={"number": NUMBER, "body": "x", "whatsappId": 999_999}, headers=bearer(token)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "whatsapp_not_found")


async def test_options_lists_the_methods_of_the_literal_path(world: World) -> None:
    """/messages/send must not be taken for /messages/{id} (which has GET, PUT and DELETE)."""
    send = await world.client.options("/messages/send")
    assert send.headers["Allow"] == "OPTIONS, POST"
    one = await world.client.options(f"/messages/{world.m_sales}")
    assert one.headers["Allow"] == "DELETE, GET, OPTIONS, PUT"
