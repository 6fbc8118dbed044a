"""Users, contacts, queues, quick answers, settings and connections: CRUD, partial updates, rules and paging."""

from __future__ import annotations

import pytest
from api_harness import Live
from api_world import PASSWORD, World, ok


async def test_offset_lists_have_the_contract_shape(world: World) -> None:
    for path in ("/users", "/contacts", "/queues", "/quick-answers", "/whatsapps"):
        page = await ok(await world.client.get(path, headers=world.admin.headers))
        assert set(page) == {"items", "total", "limit", "offset"}, path
        assert (page["limit"], page["offset"]) == (20, 0)
        assert page["total"] >= len(page["items"]) >= 1


async def test_users_crud_and_rules(world: World) -> None:
    c, h = world.client, world.admin.headers
    body = {"name": "Carla", "email": "carla@example.com", "password": PASSWORD, "role": "supervisor"}
    carla = await ok(await c.post("/users", json=body, headers=h), 201)
    assert (carla["role"], carla["queueIds"], carla["whatsappId"]) == ("supervisor", [], None)
    taken = await c.post("/users", json=body, headers=h)
    assert (taken.status_code, taken.json()["code"]) == (409, "email_taken")
    no_queue = await c.post("/users", json={**body, "email": "x@example.com", "queueIds": [987654]}, headers=h)
    assert (no_queue.status_code, no_queue.json()["code"]) == (404, "queue_not_found")
    bad_role = await c.post("/users", json={**body, "email": "y@example.com", "role": "root"}, headers=h)
    assert (bad_role.status_code, bad_role.json()["details"]["fields"]) == (400, ["role"])

    moved = await ok(
        await c.put(f"/users/{carla['id']}", json={"queueIds": [world.sales], "whatsappId": world.main}, headers=h)
    )
    assert (moved["name"], moved["queueIds"], moved["whatsappId"]) == ("Carla", [world.sales], world.main)
    cleared = await ok(await c.put(f"/users/{carla['id']}", json={"whatsappId": None}, headers=h))
    assert (cleared["whatsappId"], cleared["queueIds"]) == (None, [world.sales])

    page = await ok(await c.get("/users", params={"search": "carl"}, headers=world.supervisor.headers))
    assert [u["email"] for u in page["items"]] == ["carla@example.com"]
    limited = await ok(await c.get("/users", params={"limit": 2, "offset": 1}, headers=h))
    assert (len(limited["items"]), limited["total"], limited["offset"]) == (2, 5, 1)

    await ok(await c.delete(f"/users/{carla['id']}", headers=h), 204)
    assert (await c.get(f"/users/{carla['id']}", headers=h)).status_code == 404


async def test_a_user_edits_only_their_own_name_and_password(world: World) -> None:
    c, me = world.client, world.agent
    renamed = await ok(
        await c.put(
            f"/users/{me.id}",
            json={"name": "Agent Smith", "password": "new-password-1", "currentPassword": PASSWORD},
            headers=me.headers,
        )
    )
    assert renamed["name"] == "Agent Smith"
    # A new password ends every session, this one included.
    assert (await c.get("/auth/me", headers=me.headers)).status_code == 401
    me.access = (await world.login(me.email, "new-password-1"))["accessToken"]
    for change in ({"role": "admin"}, {"queueIds": []}, {"email": "a@example.com"}, {"whatsappId": None}):
        refused = await c.put(f"/users/{me.id}", json=change, headers=me.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), change
    others = await c.put(f"/users/{world.other_agent.id}", json={"name": "x"}, headers=me.headers)
    assert others.status_code == 403
    assert (await ok(await c.get(f"/users/{me.id}", headers=me.headers)))["id"] == me.id


async def test_the_last_admin_stays(world: World) -> None:
    c, h = world.client, world.admin.headers
    demote = await c.put(f"/users/{world.admin.id}", json={"role": "user"}, headers=h)
    assert (demote.status_code, demote.json()["code"]) == (409, "last_admin")
    delete = await c.delete(f"/users/{world.admin.id}", headers=h)
    assert (delete.status_code, delete.json()["code"]) == (409, "last_admin")


async def test_deleting_a_user_returns_their_tickets_to_pending(world: World) -> None:
    c, h = world.client, world.admin.headers
    await ok(await c.delete(f"/users/{world.other_agent.id}", headers=h), 204)
    ticket = await ok(await c.get(f"/tickets/{world.t_hidden}", headers=h))
    assert (ticket["status"], ticket["userId"]) == ("pending", None)


async def test_contacts_crud(world: World) -> None:
    c, h = world.client, world.agent.headers
    body = {
        "name": "  Dora  ",
        "number": "+55 (11) 98888-7777",
        "email": "Dora@Example.com",
        "extraInfo": [{"name": "cpf", "value": "123"}],
    }
    dora = await ok(await c.post("/contacts", json=body, headers=h), 201)
    assert (dora["name"], dora["number"], dora["email"]) == ("Dora", "5511988887777", "dora@example.com")
    assert dora["extraInfo"] == [{"name": "cpf", "value": "123"}]
    assert dora["isGroup"] is False
    again = await c.post("/contacts", json={**body, "number": "5511988887777"}, headers=h)
    assert (again.status_code, again.json()["code"]) == (409, "contact_exists")
    bad = await c.post("/contacts", json={"name": "x", "number": "12"}, headers=h)
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    no_name = await c.post("/contacts", json={"number": "5511988887776"}, headers=h)
    assert no_name.json()["details"]["fields"] == ["name"]

    partial = await ok(await c.put(f"/contacts/{dora['id']}", json={"email": None}, headers=h))
    assert (partial["email"], partial["name"], partial["extraInfo"]) == (
        None,
        "Dora",
        [{"name": "cpf", "value": "123"}],
    )
    found = await ok(await c.get("/contacts", params={"search": "8888"}, headers=h))
    assert [x["id"] for x in found["items"]] == [dora["id"]]
    await ok(await c.delete(f"/contacts/{dora['id']}", headers=h), 204)
    assert (await c.get(f"/contacts/{dora['id']}", headers=h)).json()["code"] == "contact_not_found"


async def test_deleting_a_contact_with_tickets_is_for_admins(world: World) -> None:
    c = world.client
    refused = await c.delete(f"/contacts/{world.c_pending}", headers=world.supervisor.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    await ok(await c.delete(f"/contacts/{world.c_pending}", headers=world.admin.headers), 204)


async def test_queues_crud(world: World) -> None:
    c, h = world.client, world.admin.headers
    billing = await ok(
        await c.post("/queues", json={"name": "Billing", "color": "#0000ff", "userIds": [world.agent.id]}, headers=h),
        201,
    )
    assert (billing["color"], billing["userIds"], billing["greetingMessage"]) == ("#0000FF", [world.agent.id], "")
    same_name = await c.post("/queues", json={"name": "billing", "color": "#123456"}, headers=h)
    assert (same_name.status_code, same_name.json()["code"]) == (409, "queue_name_taken")
    same_color = await c.post("/queues", json={"name": "Other", "color": "#0000FF"}, headers=h)
    assert (same_color.status_code, same_color.json()["code"]) == (409, "queue_color_taken")
    bad_color = await c.post("/queues", json={"name": "Other", "color": "blue"}, headers=h)
    assert (bad_color.status_code, bad_color.json()["details"]["fields"]) == (400, ["color"])
    no_user = await c.post("/queues", json={"name": "Other", "color": "#654321", "userIds": [987654]}, headers=h)
    assert (no_user.status_code, no_user.json()["code"]) == (404, "user_not_found")
    greeted = await ok(await c.put(f"/queues/{billing['id']}", json={"greetingMessage": "Hi {{name}}"}, headers=h))
    assert (greeted["greetingMessage"], greeted["name"]) == ("Hi {{name}}", "Billing")
    await ok(await c.delete(f"/queues/{billing['id']}", headers=h), 204)
    assert (await c.get(f"/queues/{billing['id']}", headers=h)).json()["code"] == "queue_not_found"


async def test_quick_answers_crud_and_search(world: World) -> None:
    c, h = world.client, world.agent.headers
    qa = await ok(
        await c.post("/quick-answers", json={"shortcut": "bye", "message": "Goodbye and thanks"}, headers=h), 201
    )
    taken = await c.post("/quick-answers", json={"shortcut": "bye", "message": "again"}, headers=h)
    assert (taken.status_code, taken.json()["code"]) == (409, "quick_answer_shortcut_taken")
    by_message = await ok(await c.get("/quick-answers", params={"search": "thanks"}, headers=h))
    by_shortcut = await ok(await c.get("/quick-answers", params={"search": "BYE"}, headers=h))
    assert [q["id"] for q in by_message["items"]] == [q["id"] for q in by_shortcut["items"]] == [qa["id"]]
    changed = await ok(await c.put(f"/quick-answers/{qa['id']}", json={"message": "See you"}, headers=h))
    assert (changed["shortcut"], changed["message"]) == ("bye", "See you")
    await ok(await c.delete(f"/quick-answers/{qa['id']}", headers=h), 204)
    assert (await c.get(f"/quick-answers/{qa['id']}", headers=h)).status_code == 404


async def test_settings(world: World) -> None:
    c, h = world.client, world.admin.headers
    listed = await ok(await c.get("/settings", headers=world.agent.headers))
    assert {"key": "userCreation", "value": "disabled"} in listed
    assert {s["key"] for s in listed} >= {"userCreation", "ticketReopenWindowMinutes", "groupMessages"}
    assert await ok(await c.put("/settings/groupMessages", json={"value": "ticket"}, headers=h)) == {
        "key": "groupMessages",
        "value": "ticket",
    }
    bad = await c.put("/settings/groupMessages", json={"value": "sometimes"}, headers=h)
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    unknown = await c.put("/settings/colour", json={"value": "x"}, headers=h)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "setting_not_found")


async def test_whatsapps_crud_keeps_one_default(world: World) -> None:
    c, h = world.client, world.admin.headers
    main = await ok(await c.get(f"/whatsapps/{world.main}", headers=h))
    assert (main["isDefault"], main["status"], main["number"]) == (True, "DISCONNECTED", None)
    second = await ok(
        await c.post("/whatsapps", json={"name": "Second", "isDefault": True, "queueIds": [world.sales]}, headers=h),
        201,
    )
    assert (second["isDefault"], second["queueIds"]) == (True, [world.sales])
    assert (await ok(await c.get(f"/whatsapps/{world.main}", headers=h)))["isDefault"] is False
    taken = await c.post("/whatsapps", json={"name": "Second"}, headers=h)
    assert (taken.status_code, taken.json()["code"]) == (409, "whatsapp_name_taken")
    farewell = await ok(await c.put(f"/whatsapps/{second['id']}", json={"farewellMessage": "Bye {{name}}"}, headers=h))
    assert (farewell["farewellMessage"], farewell["name"]) == ("Bye {{name}}", "Second")
    await ok(await c.delete(f"/whatsapps/{world.spare}", headers=h), 204)
    assert (await c.get(f"/whatsapps/{world.spare}", headers=h)).json()["code"] == "whatsapp_not_found"


async def test_session_control(world: World, live: Live) -> None:
    c, h = world.client, world.admin.headers
    started = await ok(await c.post(f"/whatsapps/{world.main}/session", headers=h))
    assert started["status"] == "OPENING"
    assert live.sessions.started == [world.main]
    none = await c.get(f"/whatsapps/{world.main}/qrcode", headers=h)
    assert (none.status_code, none.json()["code"]) == (404, "qrcode_not_found")
    await world.set_qr("2@scan-me")
    png = await c.get(f"/whatsapps/{world.main}/qrcode", headers=h)
    assert (png.status_code, png.headers["content-type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG")
    svg = await c.get(f"/whatsapps/{world.main}/qrcode", params={"format": "svg"}, headers=h)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    code = await ok(
        await c.post(f"/whatsapps/{world.main}/pair-code", json={"phoneNumber": "+55 11 99999-0000"}, headers=h)
    )
    assert code == {"code": "ABCD-EFGH"}
    assert (await ok(await c.get(f"/whatsapps/{world.main}", headers=h)))["status"] == "PAIRING"
    await ok(await c.delete(f"/whatsapps/{world.main}/session", headers=h), 204)
    assert live.sessions.logged_out == [world.main]
    assert (await ok(await c.get(f"/whatsapps/{world.main}", headers=h)))["status"] == "DISCONNECTED"


@pytest.mark.parametrize(
    "path", ["/users/987654", "/contacts/987654", "/queues/987654", "/quick-answers/987654", "/whatsapps/987654"]
)
async def test_unknown_ids_are_404_with_their_code(world: World, path: str) -> None:
    response = await world.client.get(path, headers=world.admin.headers)
    assert response.status_code == 404
    assert response.json()["code"].endswith("_not_found")
