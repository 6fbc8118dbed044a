"""Finding 7: an agent could change the number of any contact, even one whose ticket belongs to another queue, and
so redirect that queue's replies to a number of their choosing."""

from __future__ import annotations

import logging

import pytest
from api_world import World, ok


async def test_an_agent_cannot_redirect_a_ticket_they_cannot_see(world: World) -> None:
    c = world.client
    # t_sales is in Sales: other_agent (no queue) does not see it.
    hijack = await c.put(
        f"/contacts/{world.c_sales}", json={"number": "5511977776666"}, headers=world.other_agent.headers
    )
    assert (hijack.status_code, hijack.json()["code"]) == (403, "forbidden")
    # t_hidden is assigned to other_agent: the Sales agent does not see it.
    hijack = await c.put(f"/contacts/{world.c_hidden}", json={"number": "5511977776666"}, headers=world.agent.headers)
    assert hijack.status_code == 403
    contact = await ok(await c.get(f"/contacts/{world.c_hidden}", headers=world.admin.headers))
    assert contact["number"] != "5511977776666"
    # Other fields stay editable for anyone who may edit contacts.
    await ok(await c.put(f"/contacts/{world.c_hidden}", json={"name": "Renamed"}, headers=world.agent.headers))


async def test_number_changes_by_those_allowed_are_recorded(world: World, caplog: pytest.LogCaptureFixture) -> None:
    c = world.client
    with caplog.at_level(logging.INFO, logger="whaticket.audit"):
        own = await c.put(f"/contacts/{world.c_sales}", json={"number": "5511966665555"}, headers=world.agent.headers)
        staff = await c.put(
            f"/contacts/{world.c_hidden}", json={"number": "5511955554444"}, headers=world.supervisor.headers
        )
    assert (own.status_code, staff.status_code) == (200, 200)
    records = [r.getMessage() for r in caplog.records if r.name == "whaticket.audit"]
    assert any("5511966665555" in r and f"by user {world.agent.id}" in r for r in records)
    assert any("5511955554444" in r and f"by user {world.supervisor.id}" in r for r in records)
