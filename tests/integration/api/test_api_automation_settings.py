"""The automation settings and the agents' capacity over HTTP."""

from __future__ import annotations

from api_world import World, ok


async def test_capacity_is_set_by_admins_and_shown_on_the_user(world: World) -> None:
    c, admin, agent = world.client, world.people["admin"], world.people["agent"]
    assert (await ok(await c.get(f"/users/{agent.id}", headers=admin.headers)))["maxOpenTickets"] == 0
    updated = await ok(await c.put(f"/users/{agent.id}", json={"maxOpenTickets": 5}, headers=admin.headers))
    assert updated["maxOpenTickets"] == 5
    assert (await ok(await c.get("/auth/me", headers=agent.headers)))["maxOpenTickets"] == 5

    own = await c.put(f"/users/{agent.id}", json={"maxOpenTickets": 50}, headers=agent.headers)
    assert (own.status_code, own.json()["code"]) == (403, "forbidden")
    bad = await c.put(f"/users/{agent.id}", json={"maxOpenTickets": -1}, headers=admin.headers)
    assert (bad.status_code, bad.json()["details"]["fields"]) == (400, ["maxOpenTickets"])

    body = {"name": "New", "email": "new@example.com", "password": "password123", "role": "user", "maxOpenTickets": 3}
    assert (await ok(await c.post("/users", json=body, headers=admin.headers), 201))["maxOpenTickets"] == 3


async def test_automation_settings_are_listed_and_validated(world: World) -> None:
    c, admin = world.client, world.people["admin"].headers
    listed = {s["key"]: s["value"] for s in await ok(await c.get("/settings", headers=admin))}
    assert {
        k: listed[k] for k in ("autoCloseMinutes", "autoCloseWarningMinutes", "autoCloseWarning", "autoAssign")
    } == {
        "autoCloseMinutes": "0",
        "autoCloseWarningMinutes": "0",
        "autoCloseWarning": "",
        "autoAssign": "off",
    }
    assert (await ok(await c.put("/settings/autoAssign", json={"value": "round_robin"}, headers=admin)))["value"] == (
        "round_robin"
    )
    await ok(await c.put("/settings/autoCloseWarning", json={"value": "Closing in 10 minutes"}, headers=admin))
    for key, value in (("autoAssign", "random"), ("autoCloseMinutes", "soon")):
        response = await c.put(f"/settings/{key}", json={"value": value}, headers=admin)
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
