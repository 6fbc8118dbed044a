"""Connection auth and the rooms a socket starts in."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from realtime_harness import World, build_app
from realtime_support import WAIT, LiveServer, serve


async def test_refused_without_a_token(live: LiveServer, clients) -> None:
    rec = await clients(live.url, None, expect_refusal=True)
    assert rec.connect_errors == [{"message": "unauthorized"}]


async def test_refused_with_a_malformed_token(live: LiveServer, clients) -> None:
    rec = await clients(live.url, "not-a-jwt", expect_refusal=True)
    assert rec.connect_errors == [{"message": "unauthorized"}]


async def test_refused_with_an_expired_token(live: LiveServer, clients) -> None:
    token = live.world.token("agent_a", ttl=timedelta(seconds=-1))
    rec = await clients(live.url, token, expect_refusal=True)
    assert rec.connect_errors == [{"message": "unauthorized"}]


async def test_refused_with_a_stale_token_version(live: LiveServer, clients) -> None:
    token = live.world.token("agent_a", version=7)
    rec = await clients(live.url, token, expect_refusal=True)
    assert rec.connect_errors == [{"message": "unauthorized"}]


async def test_connected_carries_the_user_id(live: LiveServer, clients) -> None:
    rec = await clients(live.url, live.world.token("agent_a"))
    assert rec.received("connected") == [{"userId": live.world.ids["agent_a"]}]


async def test_sockets_start_in_personal_role_and_queue_rooms(live: LiveServer, clients) -> None:
    ids = live.world.ids
    admin = await clients(live.url, live.world.token("admin"))
    agent = await clients(live.url, live.world.token("agent_a"))
    server = live.gateway.server
    assert set(server.rooms(admin.client.get_sid())) >= {f"user:{ids['admin']}", "staff"}
    agent_rooms = set(server.rooms(agent.client.get_sid()))
    assert agent_rooms >= {f"user:{ids['agent_a']}", "tickets:no-queue", f"queue:{ids['queue_a']}"}
    assert not agent_rooms & {"staff", "admins", f"queue:{ids['queue_b']}"}


async def test_one_user_holds_a_bounded_number_of_sockets(clients) -> None:
    """Finding 13: one token could open sockets without limit (each one memory and a copy of every event)."""
    world = await World().seed()
    app, gateway = build_app(world, max_sockets_per_user=2)
    server, task, url = await serve(app)
    try:
        token = world.token("agent_a")
        first = await clients(url, token)
        await clients(url, token)
        refused = await clients(url, token, expect_refusal=True)
        other_user = await clients(url, world.token("agent_b"))

        assert refused.connect_errors == [{"message": "too_many_connections"}]
        assert other_user.client.connected
        assert gateway.local_socket_count == 3

        await first.client.disconnect()  # a socket that leaves frees its place
        async with asyncio.timeout(WAIT):
            while gateway.local_socket_count != 2:  # noqa: ASYNC110  # the server's disconnect handler has no event
                await asyncio.sleep(0.01)
        assert (await clients(url, token)).client.connected
    finally:
        server.should_exit = True
        await task
