"""The managers' delivery to local sockets (one encoding, no task per socket) and the Redis manager's order: the
other processes are told before this process serves its own sockets, and a stalled Redis does not hold them back.

No network: each socket's engine.io send is replaced by a recorder; the Redis manager's publish by a fake.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from whaticket_api.realtime import managers
from whaticket_api.realtime.managers import LocalClientManager, RedisClientManager

NS = "/"
TICKET_ROOMS = ["staff", "ticket:1", "queue:1"]


class Recorder:
    """What each socket (by engine.io sid) was handed, and the order of the steps (publish, local, other tasks)."""

    def __init__(self) -> None:
        self.packets: dict[str, list[str]] = {}
        self.steps: list[str] = []
        self.delivered = asyncio.Event()
        self.published: list[dict[str, Any]] = []

    def step(self, name: str) -> None:
        if not self.steps or self.steps[-1] != name:
            self.steps.append(name)


async def _with_sockets(manager: Any, sockets: dict[str, list[str]], seen: Recorder | None = None) -> Recorder:
    """``manager`` behind an AsyncServer holding ``sockets`` (engine.io sid -> rooms), sends recorded."""
    seen = seen or Recorder()
    server = socketio.AsyncServer(async_mode="asgi", client_manager=manager)

    async def send_eio_packet(eio_sid: str, pkt: Any) -> None:
        if eio_sid == "closing":
            raise RuntimeError("the socket closed meanwhile")
        seen.step("local")
        seen.packets.setdefault(eio_sid, []).append(pkt.encode())
        seen.delivered.set()

    server._send_eio_packet = send_eio_packet
    for eio_sid, rooms in sockets.items():
        sid = await manager.connect(eio_sid, NS)
        for room in rooms:
            await manager.enter_room(sid, NS, room)
    return seen


def _redis_manager(seen: Recorder, *, stall: asyncio.Event | None = None) -> RedisClientManager:
    """A Redis manager that never connects: publishing is recorded in ``seen`` (after ``stall`` is set, if given)."""
    manager = RedisClientManager("redis://127.0.0.1:1/0", channel="test")

    async def publish(message: dict[str, Any]) -> None:
        if stall is not None:
            await stall.wait()
        seen.step("publish")
        seen.published.append(message)

    setattr(manager, "_publish", publish)  # noqa: B010  # replacing a method of an untyped class
    return manager


async def test_each_socket_in_any_of_the_rooms_gets_the_event_once() -> None:
    manager = LocalClientManager()
    seen = await _with_sockets(
        manager, {"staff": ["staff"], "twice": ["queue:1", "ticket:1"], "other": ["queue:2"], "agent": ["queue:1"]}
    )
    await manager.emit("ticket:updated", {"ticket": {"id": 1}}, NS, room=TICKET_ROOMS)
    assert seen.packets == {sid: ['42["ticket:updated",{"ticket":{"id":1}}]'] for sid in ("staff", "twice", "agent")}


async def test_a_socket_closing_meanwhile_does_not_keep_the_event_from_the_others() -> None:
    manager = LocalClientManager()
    seen = await _with_sockets(manager, {"first": ["queue:1"], "closing": ["queue:1"], "last": ["queue:1"]})
    await manager.emit("ticket:updated", {"ticket": {"id": 1}}, NS, room=TICKET_ROOMS, skip_sid=None)
    assert set(seen.packets) == {"first", "last"}


async def test_both_events_of_a_message_reach_every_socket_before_any_other_task_runs() -> None:
    """So each socket's writer wakes once for the pair; a task per socket (python-socketio's way) would let other
    tasks run in between."""
    manager = LocalClientManager()
    seen = await _with_sockets(manager, {f"s{i}": ["queue:1"] for i in range(50)})

    async def other_task() -> None:
        seen.step("other task")

    other = asyncio.ensure_future(other_task())
    await manager.emit("ticket:updated", {"ticket": {"id": 1}}, NS, room=TICKET_ROOMS)
    await manager.emit("message:created", {"message": {"id": 9}}, NS, room=TICKET_ROOMS)
    await other
    assert seen.steps == ["local", "other task"]
    assert len(seen.packets) == 50
    assert all(len(packets) == 2 for packets in seen.packets.values())


async def test_with_redis_the_other_processes_are_told_before_this_process_serves_its_sockets() -> None:
    seen = Recorder()
    manager = _redis_manager(seen)
    await _with_sockets(manager, {"here": ["queue:1"]}, seen)
    await manager.emit("ticket:updated", {"ticket": {"id": 1}}, namespace=NS, room=TICKET_ROOMS)
    assert seen.steps == ["publish", "local"]
    assert seen.packets == {"here": ['42["ticket:updated",{"ticket":{"id":1}}]']}
    # python-socketio's own message, so every process's listener reads it unchanged
    assert seen.published == [
        {
            "method": "emit",
            "event": "ticket:updated",
            "data": [{"ticket": {"id": 1}}],
            "binary": False,
            "namespace": NS,
            "room": TICKET_ROOMS,
            "skip_sid": None,
            "callback": None,
            "host_id": manager.host_id,
        }
    ]


async def test_a_stalled_redis_does_not_hold_back_this_process_s_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(managers, "PUBLISH_HEAD_START", 0.01)
    stall = asyncio.Event()
    seen = Recorder()
    manager = _redis_manager(seen, stall=stall)
    await _with_sockets(manager, {"here": ["queue:1"]}, seen)
    emitting = asyncio.ensure_future(
        manager.emit("ticket:updated", {"ticket": {"id": 1}}, namespace=NS, room="queue:1")
    )
    async with asyncio.timeout(5):
        await seen.delivered.wait()
    assert not emitting.done()  # still publishing; the publisher's own timeout bounds it
    stall.set()
    await emitting
    assert len(seen.published) == 1


async def test_an_emit_to_a_socket_of_this_process_is_not_published() -> None:
    seen = Recorder()
    manager = _redis_manager(seen)
    await _with_sockets(manager, {"here": ["queue:1"]}, seen)
    sid = manager.sid_from_eio_sid("here", NS)
    await manager.emit("connected", {"userId": 1}, namespace=NS, to=sid, ignore_queue=True)
    assert seen.packets == {"here": ['42["connected",{"userId":1}]']}
    assert seen.published == []
