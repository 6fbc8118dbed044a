"""A worker's realtime publisher through a Redis outage: one line when publishing starts failing, one when it works
again, events published once Redis is back (python-socketio alone logs two ERROR lines per event it drops)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from ops_harness import REDIS_URL, TcpGate, gated_redis_url
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from whaticket_api.realtime.managers import make_write_only_manager


async def _next_published(pubsub: PubSub) -> object:
    async with asyncio.timeout(10):
        while True:  # the subscription's confirmation comes first and reads as None
            received = await pubsub.get_message(timeout=1)
            if received is not None:
                return json.loads(received["data"])["data"]


async def test_an_outage_is_reported_once_and_publishing_resumes(
    redis_gate: TcpGate, caplog: pytest.LogCaptureFixture
) -> None:
    url = gated_redis_url(redis_gate)
    channel = "publishing-through-an-outage"
    listener = Redis.from_url(REDIS_URL)  # straight to Redis, past the gate
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    manager = make_write_only_manager(url, channel)
    caplog.set_level(logging.INFO)
    try:
        await redis_gate.close()
        for n in range(3):
            await manager.emit("ticket:updated", {"n": n}, room="staff", namespace="/")
        messages = [r.getMessage() for r in caplog.records]
        assert sum("realtime events are not published: Redis unreachable" in m for m in messages) == 1
        assert not [r for r in caplog.records if r.name == "socketio"], "python-socketio's own lines leak through"

        await redis_gate.open()
        await manager.emit("ticket:updated", {"n": "back"}, room="staff", namespace="/")
        assert sum("realtime events are published again" in r.getMessage() for r in caplog.records) == 1
        assert await _next_published(pubsub) == [{"n": "back"}]  # python-socketio sends the args list
    finally:
        await pubsub.aclose()
        await listener.aclose()
        if manager.redis is not None:
            await manager.redis.aclose()
