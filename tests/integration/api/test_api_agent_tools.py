"""Agent tools over HTTP: tags (payloads, the tagIds filter, counts per tag, error codes) and internal notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_harness import Live
from api_world import World, ok

from whaticket_core.domain.events import NoteMentioned, TicketUpdated
from whaticket_core.ports.jobs import DeliverMessageJob, ReleaseScheduledMessageJob


async def test_tagging_a_ticket_shows_in_payloads_filters_and_counts(world: World, live: Live) -> None:
    c, admin, agent = world.client, world.admin.headers, world.agent.headers
    vip = await ok(await c.post("/tags", json={"name": "VIP", "color": "#00aa00"}, headers=admin), 201)
    assert vip == {"id": vip["id"], "name": "VIP", "color": "#00AA00"}
    tagged = await ok(
        await c.put(f"/tickets/{world.t_sales}/tags", json={"tagIds": [vip["id"], world.tag]}, headers=agent)
    )
    assert [t["name"] for t in tagged["tags"]] == ["Urgent", "VIP"]
    event = live.publisher.events[-1]
    assert isinstance(event, TicketUpdated)
    assert [t.name for t in event.ticket.tags] == ["Urgent", "VIP"]

    one = await ok(await c.get(f"/tickets/{world.t_sales}", headers=agent))
    assert one["tags"] == tagged["tags"]
    listed = await ok(await c.get("/tickets", params={"tagIds": f"{vip['id']},999"}, headers=admin))
    assert [t["id"] for t in listed["items"]] == [world.t_sales]
    counts = await ok(await c.get("/tickets/counts", params={"tagIds": str(world.tag)}, headers=admin))
    assert counts == {"pending": 1, "open": 0, "closed": 0}
    per_tag = await ok(await c.get("/tags/counts", headers=agent))
    assert per_tag == [{"tagId": world.tag, "tickets": 1}, {"tagId": vip["id"], "tickets": 1}]
    hidden = await ok(await c.get("/tags/counts", params={"status": "open"}, headers=agent))
    assert hidden == []

    await ok(await c.delete(f"/tags/{vip['id']}", headers=admin), 204)
    after = await ok(await c.get(f"/tickets/{world.t_sales}", headers=agent))
    assert [t["name"] for t in after["tags"]] == ["Urgent"]


async def test_contacts_carry_tags(world: World) -> None:
    c, agent = world.client, world.agent.headers
    contact = await ok(await c.put(f"/contacts/{world.free_contact}/tags", json={"tagIds": [world.tag]}, headers=agent))
    assert contact["tags"] == [{"id": world.tag, "name": "Urgent", "color": "#FF8800"}]
    got = await ok(await c.get(f"/contacts/{world.free_contact}", headers=agent))
    assert got["tags"] == contact["tags"]
    page = await ok(await c.get("/contacts", params={"search": got["name"]}, headers=agent))
    assert page["items"][0]["tags"] == contact["tags"]


async def test_errors_use_the_contract_codes(world: World) -> None:
    c, admin = world.client, world.admin.headers
    dup = await c.post("/tags", json={"name": "urgent", "color": "#000000"}, headers=admin)
    assert (dup.status_code, dup.json()["code"]) == (409, "tag_name_taken")
    unknown = await c.put(f"/tickets/{world.t_sales}/tags", json={"tagIds": [424242]}, headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "tag_not_found")
    assert unknown.json()["details"] == {"tagId": 424242}
    hidden = await c.put(f"/tickets/{world.t_hidden}/tags", json={"tagIds": []}, headers=world.agent.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ticket_not_found")
    bad = await c.get("/tickets", params={"tagIds": "1,x"}, headers=admin)
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    missing = await c.get("/tags/424242", headers=admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "tag_not_found")


async def test_notes_are_messages_of_kind_note_that_never_reach_whatsapp(world: World, live: Live) -> None:
    c, agent = world.client, world.agent.headers
    note = await ok(
        await c.post(f"/tickets/{world.t_sales}/notes", json={"body": "@Supervisor please check"}, headers=agent), 201
    )
    assert (note["mediaType"], note["ack"], note["userId"], note["fromMe"]) == ("note", "sent", world.agent.id, True)
    listed = await ok(await c.get("/messages", params={"ticketId": world.t_sales}, headers=agent))
    assert listed["items"][0]["id"] == note["id"]
    assert live.publisher.of_type(NoteMentioned) == [NoteMentioned(world.t_sales, note["id"], (world.supervisor.id,))]
    assert DeliverMessageJob(note["id"]) not in live.jobs.history
    assert live.sender.outbox == []
    hidden = await c.post(f"/tickets/{world.t_hidden}/notes", json={"body": "x"}, headers=agent)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ticket_not_found")
    empty = await c.post(f"/tickets/{world.t_sales}/notes", json={"body": ""}, headers=agent)
    assert (empty.status_code, empty.json()["code"]) == (400, "validation_error")


async def test_report_summary_from_recorded_events(world: World) -> None:
    c, admin = world.client, world.admin.headers
    await ok(await c.post(f"/tickets/{world.t_sales}/accept", headers=world.agent.headers))
    await ok(
        await c.post("/messages", json={"ticketId": world.t_sales, "body": "Hi!"}, headers=world.agent.headers), 201
    )
    await ok(await c.post(f"/tickets/{world.t_sales}/close", headers=world.agent.headers))
    report = await ok(await c.get("/reports/summary", headers=world.supervisor.headers))
    # The seeded world: four inbound tickets, one closed by the admin; now t_sales answered and closed.
    assert report["tickets"] == {"created": 4, "closed": 2}
    assert set(report) == {
        "from", "to", "tickets", "firstResponseSeconds", "resolutionSeconds", "rating", "byQueue", "byUser",
    }  # fmt: skip
    assert report["firstResponseSeconds"]["p50"] is not None
    assert report["rating"] == {"count": 0, "average": None}
    mine = await ok(await c.get("/reports/summary", params={"userId": world.agent.id}, headers=admin))
    assert mine["tickets"] == {"created": 0, "closed": 1}
    assert [u["userId"] for u in mine["byUser"]] == [world.agent.id]
    in_sales = await ok(await c.get("/reports/summary", params={"queueId": world.sales}, headers=admin))
    assert in_sales["tickets"]["closed"] == 2
    past = await ok(
        await c.get(
            "/reports/summary", params={"from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"}, headers=admin
        )
    )
    assert (past["tickets"], past["byQueue"], past["from"]) == ({"created": 0, "closed": 0}, [], "2020-01-01T00:00:00Z")
    backwards = await c.get("/reports/summary", params={"from": "2020-02-01", "to": "2020-01-01"}, headers=admin)
    assert (backwards.status_code, backwards.json()["code"]) == (400, "validation_error")
    for field in ("from", "to"):  # a bare number would decode as a Unix timestamp: refused, naming the field
        number = await c.get("/reports/summary", params={field: "0.5"}, headers=admin)
        assert (number.status_code, number.json()["details"]["fields"]) == (400, [field]), number.text
    unknown = await c.get("/reports/summary", params={"queueId": 4242}, headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "queue_not_found")


async def test_csat_question_on_close_and_a_digit_reply_rates_the_ticket(world: World, live: Live) -> None:
    c, admin = world.client, world.admin.headers
    await ok(await c.put("/settings/csat", json={"value": "on"}, headers=admin))
    await ok(await c.put("/settings/csatQuestion", json={"value": "Rate us from 1 to 5"}, headers=admin))
    bad = await c.post(f"/tickets/{world.t_sales}/close", json={"skipSurvey": "yes"}, headers=admin)
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    closed = await ok(await c.post(f"/tickets/{world.t_sales}/close", headers=admin))
    assert (closed["status"], closed["rating"]) == ("closed", None)
    messages = await ok(await c.get("/messages", params={"ticketId": world.t_sales}, headers=admin))
    assert messages["items"][0]["body"] == "Rate us from 1 to 5"
    contact = await ok(await c.get(f"/contacts/{world.c_sales}", headers=admin))
    await world.inbound(contact["number"], "5")
    rated = await ok(await c.get(f"/tickets/{world.t_sales}", headers=admin))
    assert (rated["status"], rated["rating"]) == ("closed", 5)
    report = await ok(await c.get("/reports/summary", headers=admin))
    assert report["rating"] == {"count": 1, "average": 5.0}

    skipped = await ok(await c.post(f"/tickets/{world.t_pending}/close", json={"skipSurvey": True}, headers=admin))
    assert skipped["status"] == "closed"
    last = await ok(await c.get("/messages", params={"ticketId": world.t_pending}, headers=admin))
    assert all(m["body"] != "Rate us from 1 to 5" for m in last["items"])


async def test_scheduled_messages_over_http(world: World, live: Live) -> None:
    c, agent = world.client, world.agent.headers
    send_at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    body = {"ticketId": world.t_sales, "body": "Reminder", "sendAt": send_at.isoformat(), "cancelIfReplied": True}
    scheduled = await ok(await c.post("/messages", json=body, headers=agent), 201)
    assert (scheduled["ack"], scheduled["userId"]) == ("scheduled", world.agent.id)
    assert datetime.fromisoformat(scheduled["sendAt"]) == send_at
    assert live.jobs.scheduled == [(ReleaseScheduledMessageJob(scheduled["id"]), send_at)]
    assert DeliverMessageJob(scheduled["id"]) not in live.jobs.history

    await ok(await c.delete(f"/messages/{scheduled['id']}", headers=agent), 204)
    cancelled = await ok(await c.get(f"/messages/{scheduled['id']}", headers=agent))
    assert (cancelled["isDeleted"], cancelled["ack"]) == (True, "scheduled")

    for bad in (
        {"ticketId": world.t_sales, "body": "x", "sendAt": "2020-01-01T00:00:00Z"},
        {"ticketId": world.t_sales, "body": "x", "sendAt": "2099-01-01T00:00:00"},  # no offset
        {"ticketId": world.t_sales, "body": "x", "cancelIfReplied": True},
    ):
        refused = await c.post("/messages", json=bad, headers=agent)
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error"), bad
    closed = await c.post(
        "/messages", json={"ticketId": world.t_closed, "body": "x", "sendAt": send_at.isoformat()}, headers=agent
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "ticket_closed")
