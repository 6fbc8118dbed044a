"""Findings 5 and 6 over HTTP: a committed message is answered 201 whatever the job queue does (and an
idempotency key keeps that answer), and a message WhatsApp accepted is never sent twice."""

from __future__ import annotations

import itertools
from pathlib import Path

from api_harness import FakesProvider, Live, client_for, make_settings, running
from api_world import World, ok
from dishka import provide
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_api.app import create_app
from whaticket_core.ports import JobQueue
from whaticket_core.ports.jobs import Job
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand


class _QueueDown:
    """The job queue with its Redis gone: every enqueue fails."""

    def __init__(self) -> None:
        self.down = False
        self.jobs: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.jobs.append(job)


class _QueueDownProvider(FakesProvider):
    queue = _QueueDown()

    @provide
    def jobs(self) -> JobQueue:
        return self.queue


async def test_a_committed_message_is_201_with_the_queue_down_and_a_retry_replays_it(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    provider = _QueueDownProvider(clean_db, live)
    app = create_app(make_settings(tmp_path), overrides=[provider])
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        provider.queue.down = True
        headers = {**world.admin.headers, "Idempotency-Key": "send-1"}
        body = {"ticketId": world.t_pending, "body": "only once, please"}

        first = await client.post("/messages", json=body, headers=headers)
        retry = await client.post("/messages", json=body, headers=headers)  # a client retrying whatever it got

        assert first.status_code == 201, first.text
        assert (retry.status_code, retry.json()["id"]) == (201, first.json()["id"])
        assert retry.headers.get("Idempotent-Replayed") == "true"
        page = await ok(await client.get("/messages", params={"ticketId": world.t_pending}, headers=headers))
        mine = [m for m in page["items"] if m["body"] == "only once, please"]
        assert [m["ack"] for m in mine] == ["pending"]  # stored once, left for the sweeper to deliver


async def test_a_sent_message_whose_id_clashes_is_recorded_not_resent(world: World, live: Live) -> None:
    c, h = world.client, world.admin.headers
    first = await ok(await c.post("/messages", json={"ticketId": world.t_pending, "body": "one"}, headers=h), 201)
    await _deliver(world, first["id"])
    live.sender._ids = itertools.count(1)  # the transport restarted: it hands out the first id again
    second = await ok(await c.post("/messages", json={"ticketId": world.t_pending, "body": "two"}, headers=h), 201)

    for attempt in (1, 2, 3):  # the job, its retries, the sweeper
        await _deliver(world, second["id"], attempt)

    assert [item.body for item in live.sender.outbox] == ["one", "two"]
    stored = await ok(await c.get(f"/messages/{second['id']}", headers=h))
    assert stored["ack"] == "sent"


async def _deliver(world: World, message_id: int, attempt: int = 1) -> None:
    async with world.app.state.dishka_container() as request:
        use_case = await request.get(DeliverMessage)
        await use_case.execute(DeliverMessageCommand(message_id, attempt=attempt))
