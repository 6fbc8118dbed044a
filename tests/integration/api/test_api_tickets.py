"""/tickets: list with filters and cursor, counts, one, create, update and every action, visibility."""

from __future__ import annotations

from api_harness import Live
from api_world import World, ok

from whaticket_core.domain.events import TicketClosed, TicketDeleted


async def test_list_is_visible_tickets_newest_first_with_filters(world: World) -> None:
    c = world.client
    everything = await ok(await c.get("/tickets", headers=world.admin.headers))
    ids = [t["id"] for t in everything["items"]]
    assert set(ids) == {world.t_pending, world.t_sales, world.t_hidden, world.t_closed}
    stamps = [t["updatedAt"] for t in everything["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert everything["nextCursor"] is None
    ticket = everything["items"][0]
    assert set(ticket) == {
        "id", "status", "contact", "whatsappId", "queueId", "userId", "unreadMessages", "lastMessage",
        "lastMessageAt", "isGroup", "createdAt", "updatedAt", "closedAt", "tags", "rating",
    }  # fmt: skip
    assert set(ticket["contact"]) == {"id", "name", "number", "lid", "profilePicUrl", "isGroup"}

    agent = await ok(await c.get("/tickets", headers=world.agent.headers))
    assert {t["id"] for t in agent["items"]} == {world.t_pending, world.t_sales, world.t_closed}

    pending = await ok(await c.get("/tickets", params={"status": "pending"}, headers=world.admin.headers))
    assert {t["id"] for t in pending["items"]} == {world.t_pending, world.t_sales}
    in_sales = await ok(await c.get("/tickets", params={"queueIds": f"{world.sales}"}, headers=world.admin.headers))
    assert {t["id"] for t in in_sales["items"]} == {world.t_sales, world.t_closed}
    assigned = await ok(await c.get("/tickets", params={"userId": world.other_agent.id}, headers=world.admin.headers))
    assert [t["id"] for t in assigned["items"]] == [world.t_hidden]
    unread = await ok(await c.get("/tickets", params={"unread": "true"}, headers=world.admin.headers))
    assert world.t_pending in {t["id"] for t in unread["items"]}


async def test_search_matches_name_number_and_message_text(world: World) -> None:
    c, h = world.client, world.admin.headers
    await world.inbound("5511955554444", "my order #A-1234 is late", name="Zelda")
    by_text = await ok(await c.get("/tickets", params={"search": "a-1234"}, headers=h))
    by_name = await ok(await c.get("/tickets", params={"search": "zeld"}, headers=h))
    by_number = await ok(await c.get("/tickets", params={"search": "55554444"}, headers=h))
    assert len(by_text["items"]) == len(by_name["items"]) == len(by_number["items"]) == 1
    assert by_text["items"][0]["id"] == by_name["items"][0]["id"] == by_number["items"][0]["id"]


async def test_cursor_pages_cover_everything_once(world: World) -> None:
    c, h = world.client, world.admin.headers
    for n in range(5):
        await world.inbound(f"55119333300{n:02d}", f"message {n}")
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await ok(await c.get("/tickets", params=params, headers=h))
        assert len(page["items"]) <= 3
        seen += [t["id"] for t in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
    bad = await c.get("/tickets", params={"cursor": "not-a-cursor"}, headers=h)
    assert (bad.status_code, bad.json()["details"]["fields"]) == (400, ["cursor"])


async def test_counts_follow_visibility(world: World) -> None:
    admin = await ok(await world.client.get("/tickets/counts", headers=world.admin.headers))
    agent = await ok(await world.client.get("/tickets/counts", headers=world.agent.headers))
    assert admin == {"pending": 2, "open": 1, "closed": 1}
    assert agent == {"pending": 2, "open": 0, "closed": 1}


async def test_get_one_and_hidden_ones_are_404(world: World) -> None:
    c = world.client
    one = await ok(await c.get(f"/tickets/{world.t_sales}", headers=world.agent.headers))
    assert (one["status"], one["queueId"]) == ("pending", world.sales)
    hidden = await c.get(f"/tickets/{world.t_hidden}", headers=world.agent.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ticket_not_found")
    unknown = await c.get("/tickets/999999", headers=world.admin.headers)
    assert hidden.json()["code"] == unknown.json()["code"]
    assert hidden.json()["message"].replace(str(world.t_hidden), "N") == unknown.json()["message"].replace(
        "999999", "N"
    )


async def test_create_opens_a_ticket_for_the_caller_and_refuses_a_second(world: World) -> None:
    c, h = world.client, world.agent.headers
    created = await ok(await c.post("/tickets", json={"contactId": world.free_contact}, headers=h), 201)
    assert (created["status"], created["userId"], created["whatsappId"]) == ("open", world.agent.id, world.main)
    again = await c.post("/tickets", json={"contactId": world.free_contact}, headers=h)
    assert (again.status_code, again.json()["code"]) == (409, "ticket_already_open")
    assert again.json()["details"]["ticketId"] == created["id"]
    missing = await c.post("/tickets", json={"contactId": 987654}, headers=h)
    assert (missing.status_code, missing.json()["code"]) == (404, "contact_not_found")
    no_queue = await c.post("/tickets", json={"contactId": world.free_contact, "queueId": 987654}, headers=h)
    assert no_queue.status_code in (404, 409)


async def test_accept_transfer_close_reopen(world: World, live: Live) -> None:
    c, h = world.client, world.agent.headers
    accepted = await ok(await c.post(f"/tickets/{world.t_sales}/accept", headers=h))
    assert (accepted["status"], accepted["userId"]) == ("open", world.agent.id)
    twice = await c.post(f"/tickets/{world.t_sales}/accept", headers=h)
    assert (twice.status_code, twice.json()["code"]) == (409, "invalid_ticket_transition")

    to_queue = await ok(
        await c.post(f"/tickets/{world.t_sales}/transfer", json={"queueId": world.support}, headers=world.admin.headers)
    )
    assert (to_queue["status"], to_queue["userId"], to_queue["queueId"]) == ("pending", None, world.support)
    to_user = await ok(
        await c.post(
            f"/tickets/{world.t_sales}/transfer", json={"userId": world.supervisor.id}, headers=world.admin.headers
        )
    )
    assert (to_user["status"], to_user["userId"]) == ("open", world.supervisor.id)
    empty = await c.post(f"/tickets/{world.t_sales}/transfer", json={}, headers=world.admin.headers)
    assert empty.status_code == 400
    nobody = await c.post(f"/tickets/{world.t_sales}/transfer", json={"userId": 987654}, headers=world.admin.headers)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "user_not_found")

    closed = await ok(await c.post(f"/tickets/{world.t_sales}/close", headers=world.supervisor.headers))
    assert closed["status"] == "closed"
    assert closed["closedAt"] is not None
    assert any(e.ticket.id == world.t_sales for e in live.publisher.of_type(TicketClosed))
    reopened = await ok(await c.post(f"/tickets/{world.t_sales}/reopen", headers=world.supervisor.headers))
    assert (reopened["status"], reopened["userId"], reopened["closedAt"]) == ("open", world.supervisor.id, None)


async def test_reopen_refuses_when_another_ticket_is_active(world: World) -> None:
    c, h = world.client, world.admin.headers
    closed = await ok(await c.get(f"/tickets/{world.t_closed}", headers=h))
    # The customer writes again after the reopen window: a new pending ticket...
    await ok(await c.put("/settings/ticketReopenWindowMinutes", json={"value": "0"}, headers=h))
    await world.inbound(closed["contact"]["number"], "back again")
    conflict = await c.post(f"/tickets/{world.t_closed}/reopen", headers=h)
    assert (conflict.status_code, conflict.json()["code"]) == (409, "ticket_already_open")


async def test_put_is_the_generic_update(world: World) -> None:
    c, h = world.client, world.admin.headers
    unchanged = await ok(await c.put(f"/tickets/{world.t_pending}", json={}, headers=h))
    assert unchanged["status"] == "pending"
    opened = await ok(
        await c.put(f"/tickets/{world.t_pending}", json={"status": "open", "userId": world.agent.id}, headers=h)
    )
    assert (opened["status"], opened["userId"]) == ("open", world.agent.id)
    closed = await ok(await c.put(f"/tickets/{world.t_pending}", json={"status": "closed"}, headers=h))
    assert closed["status"] == "closed"
    bad = await c.put(f"/tickets/{world.t_pending}", json={"status": "archived"}, headers=h)
    assert (bad.status_code, bad.json()["details"]["fields"]) == (400, ["status"])


async def test_read_zeroes_unread_without_get_changing_anything(world: World, live: Live) -> None:
    c, h = world.client, world.agent.headers
    before = await ok(await c.get(f"/tickets/{world.t_pending}", headers=h))
    assert before["unreadMessages"] == 1
    again = await ok(await c.get(f"/tickets/{world.t_pending}", headers=h))
    assert again["unreadMessages"] == 1
    await ok(await c.post(f"/tickets/{world.t_pending}/read", headers=h), 204)
    after = await ok(await c.get(f"/tickets/{world.t_pending}", headers=h))
    assert after["unreadMessages"] == 0
    assert any(type(j).__name__ == "SendReadReceiptsJob" for j in live.jobs.take_all())


async def test_delete_is_for_admins_and_takes_the_messages(world: World, live: Live) -> None:
    c = world.client
    refused = await c.delete(f"/tickets/{world.t_sales}", headers=world.supervisor.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    await ok(await c.delete(f"/tickets/{world.t_sales}", headers=world.admin.headers), 204)
    assert (await c.get(f"/tickets/{world.t_sales}", headers=world.admin.headers)).status_code == 404
    assert (await c.get(f"/messages/{world.m_sales}", headers=world.admin.headers)).status_code == 404
    assert [e.ticket_id for e in live.publisher.of_type(TicketDeleted)] == [world.t_sales]
