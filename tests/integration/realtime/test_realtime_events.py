"""Domain events caused by the core's use cases reach exactly the sockets allowed to see them, once each."""

from __future__ import annotations

import asyncio

from realtime_support import LiveServer, about_ticket

from whaticket_core.domain.events import WhatsAppQrCode, WhatsAppStatusChanged
from whaticket_core.domain.whatsapp import ConnectionStatus


async def test_an_agent_of_queue_a_gets_nothing_of_queue_b_and_an_admin_gets_all(live: LiveServer, clients) -> None:
    w = live.world
    admin = await clients(live.url, w.token("admin"))
    supervisor = await clients(live.url, w.token("supervisor"))
    agent_a = await clients(live.url, w.token("agent_a"))
    agent_b = await clients(live.url, w.token("agent_b"))

    await w.accept("ticket_b", "agent_b")
    await w.accept("ticket_a", "agent_a")  # a barrier: emitted after ticket_b's update, on the same connections

    a_update = await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    assert a_update["ticket"]["status"] == "open"
    assert a_update["ticket"]["userId"] == w.ids["agent_a"]
    assert agent_a.received("ticket:updated", about_ticket(w.ids["ticket_b"])) == []
    await agent_b.wait_for("ticket:updated", about_ticket(w.ids["ticket_b"]))
    for staff in (admin, supervisor):
        await staff.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
        assert len(staff.received("ticket:updated", about_ticket(w.ids["ticket_b"]))) == 1


async def test_joining_a_queue_or_ticket_one_may_not_see_is_an_error_and_joins_nothing(
    live: LiveServer, clients
) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    answer = await agent_a.call("join:queue", w.ids["queue_b"])
    error = await agent_a.wait_for("error", lambda d: d["event"] == "join:queue")
    assert error == {"code": "forbidden", "event": "join:queue", "id": w.ids["queue_b"]}
    assert answer == error
    ticket_error = await agent_a.call("join:ticket", w.ids["ticket_b"])
    assert ticket_error == {"code": "forbidden", "event": "join:ticket", "id": w.ids["ticket_b"]}
    missing = await agent_a.call("join:ticket", 999_999)
    assert missing["code"] == "forbidden"
    assert (await agent_a.call("join:ticket", "not an id"))["code"] == "validation_error"
    assert not {f"queue:{w.ids['queue_b']}", f"ticket:{w.ids['ticket_b']}"} & set(
        live.gateway.server.rooms(agent_a.client.get_sid())
    )

    await w.accept("ticket_b", "agent_b")
    await w.accept("ticket_a2", "agent_a")  # barrier
    await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a2"]))
    assert agent_a.received("ticket:updated", about_ticket(w.ids["ticket_b"])) == []


async def test_joins_that_are_allowed(live: LiveServer, clients) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    supervisor = await clients(live.url, w.token("supervisor"))
    assert (await agent_a.call("join:queue", w.ids["queue_a"]))["ok"] is True
    assert (await agent_a.call("join:ticket", w.ids["ticket_a"]))["ok"] is True
    assert (await agent_a.call("join:ticket", str(w.ids["ticket_none"])))["ok"] is True  # pending, no queue
    assert (await supervisor.call("join:queue", w.ids["queue_b"]))["ok"] is True  # staff may join any queue
    rooms = set(live.gateway.server.rooms(agent_a.client.get_sid()))
    assert {f"ticket:{w.ids['ticket_a']}", f"ticket:{w.ids['ticket_none']}"} <= rooms
    assert (await agent_a.call("leave:ticket", w.ids["ticket_a"]))["ok"] is True
    assert (await agent_a.call("leave:queue", w.ids["queue_a"]))["ok"] is True
    rooms = set(live.gateway.server.rooms(agent_a.client.get_sid()))
    assert not {f"ticket:{w.ids['ticket_a']}", f"queue:{w.ids['queue_a']}"} & rooms


async def test_each_socket_gets_an_event_once_whatever_rooms_it_is_in(live: LiveServer, clients) -> None:
    w = live.world
    admin = await clients(live.url, w.token("admin"))
    agent_a = await clients(live.url, w.token("agent_a"))
    for rec in (admin, agent_a):
        await rec.call("join:ticket", w.ids["ticket_a"])
        await rec.call("join:queue", w.ids["queue_a"])

    # staff + ticket + queue + (after accepting) personal rooms, and the old placement's rooms too
    message = await w.send(w.ids["ticket_a"], "agent_a", "hi")
    await w.accept("ticket_a2", "agent_a")  # barrier

    for rec in (admin, agent_a):
        await rec.wait_for("ticket:updated", about_ticket(w.ids["ticket_a2"]))
        assert len(rec.received("ticket:updated", about_ticket(w.ids["ticket_a"]))) == 1
        created = rec.received("message:created", about_ticket(w.ids["ticket_a"]))
        assert len(created) == 1
        assert created[0]["message"]["id"] == message.id


async def test_message_events_carry_the_wire_shapes(live: LiveServer, clients) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    message = await w.send(w.ids["ticket_a"], "agent_a", "Olá")
    created = await agent_a.wait_for("message:created", about_ticket(w.ids["ticket_a"]))
    assert created["message"] == {
        "id": message.id,
        "ticketId": w.ids["ticket_a"],
        "contactId": message.contact_id,
        "fromMe": True,
        "body": "Olá",
        "ack": "pending",
        "mediaType": None,
        "mediaUrl": None,
        "quotedMessageId": None,
        "isEdited": False,
        "isDeleted": False,
        "error": None,
        "createdAt": created["message"]["createdAt"],
        "participant": None,
        "participantName": None,
        "undecryptable": False,
        "reactions": [],
        "userId": None,
        "sendAt": None,
        "errorKind": None,
    }
    assert created["message"]["createdAt"].endswith("Z")
    assert created["ticket"]["lastMessage"] == "Olá"
    assert set(created["ticket"]) == {
        "id", "status", "contact", "whatsappId", "queueId", "userId", "unreadMessages", "lastMessage",
        "lastMessageAt", "isGroup", "createdAt", "updatedAt", "closedAt", "tags", "rating",
    }  # fmt: skip

    await w.deliver(message.id)
    updated = await agent_a.wait_for("message:updated", lambda d: d["message"]["id"] == message.id)
    assert updated["message"]["ack"] == "sent"
    assert set(updated) == {"message"}


async def test_closing_sends_updated_then_closed(live: LiveServer, clients) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    await w.accept("ticket_a", "agent_a")
    await w.close(w.ids["ticket_a"], "agent_a")
    closed = await agent_a.wait_for("ticket:closed", about_ticket(w.ids["ticket_a"]))
    assert closed["ticket"]["status"] == "closed"
    assert closed["ticket"]["closedAt"] is not None
    names = [e for e, d in agent_a.events if about_ticket(w.ids["ticket_a"])(d)]
    assert names == ["ticket:updated", "ticket:updated", "ticket:closed"]


async def test_created_and_deleted(live: LiveServer, clients) -> None:
    w = live.world
    admin = await clients(live.url, w.token("admin"))
    agent_a = await clients(live.url, w.token("agent_a"))
    agent_b = await clients(live.url, w.token("agent_b"))
    created = await w.create_ticket("5511922220001", "agent_a")
    got = await agent_a.wait_for("ticket:created", about_ticket(created.id))
    assert got["ticket"]["userId"] == w.ids["agent_a"]
    await admin.wait_for("ticket:created", about_ticket(created.id))

    await w.delete(created.id, "admin")
    assert await agent_a.wait_for("ticket:deleted", about_ticket(created.id)) == {"ticketId": created.id}
    await admin.wait_for("ticket:deleted", about_ticket(created.id))
    await w.accept("ticket_b", "agent_b")  # barrier for agent_b
    await agent_b.wait_for("ticket:updated", about_ticket(w.ids["ticket_b"]))
    assert agent_b.received("ticket:created", about_ticket(created.id)) == []
    assert agent_b.received("ticket:deleted", about_ticket(created.id)) == []


async def test_a_ticket_moved_away_reaches_its_old_room_once_then_stops(live: LiveServer, clients) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    agent_b = await clients(live.url, w.token("agent_b"))
    await agent_a.call("join:ticket", w.ids["ticket_a"])

    await w.transfer(w.ids["ticket_a"], "admin", to_queue="queue_b")
    moved = await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    assert moved["ticket"]["queueId"] == w.ids["queue_b"]
    await agent_b.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    # agent_a may no longer see it: pruned from the ticket room too
    assert f"ticket:{w.ids['ticket_a']}" not in live.gateway.server.rooms(agent_a.client.get_sid())

    await w.send(w.ids["ticket_a"], "agent_b", "now in queue b")
    await w.accept("ticket_a2", "agent_a")  # barrier
    await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a2"]))
    await agent_b.wait_for("message:created", about_ticket(w.ids["ticket_a"]))
    assert agent_a.received("message:created", about_ticket(w.ids["ticket_a"])) == []
    assert len(agent_a.received("ticket:updated", about_ticket(w.ids["ticket_a"]))) == 1


async def test_pending_tickets_without_queue_reach_every_agent(live: LiveServer, clients) -> None:
    w = live.world
    agent_none = await clients(live.url, w.token("agent_none"))
    agent_b = await clients(live.url, w.token("agent_b"))
    await w.accept("ticket_none", "agent_b")
    # both got the update that moved it out of the no-queue room (now open and assigned to agent_b)
    await agent_none.wait_for("ticket:updated", about_ticket(w.ids["ticket_none"]))
    await agent_b.wait_for("ticket:updated", about_ticket(w.ids["ticket_none"]))
    await w.send(w.ids["ticket_none"], "agent_b", "mine now")
    await w.transfer(w.ids["ticket_b"], "admin", to_queue="queue_b")  # unrelated to agent_none...
    await w.transfer(w.ids["ticket_a"], "admin", to_user="agent_none")  # ...this one is theirs: a barrier
    await agent_none.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    assert agent_none.received("message:created", about_ticket(w.ids["ticket_none"])) == []
    assert agent_none.received("ticket:updated", about_ticket(w.ids["ticket_b"])) == []


async def test_connection_events_reach_staff_and_qr_codes_admins_only(live: LiveServer, clients) -> None:
    w = live.world
    admin = await clients(live.url, w.token("admin"))
    supervisor = await clients(live.url, w.token("supervisor"))
    agent_a = await clients(live.url, w.token("agent_a"))
    assert w.publisher is not None
    await w.publisher.publish(
        [
            WhatsAppQrCode(w.ids["whatsapp"], "2@abc,def"),
            WhatsAppStatusChanged(w.ids["whatsapp"], ConnectionStatus.CONNECTED, "5511900000000"),
        ]
    )
    expected = {"whatsappId": w.ids["whatsapp"], "status": "CONNECTED", "number": "5511900000000"}
    assert await admin.wait_for("whatsapp:connection") == expected
    assert await supervisor.wait_for("whatsapp:connection") == expected
    assert admin.received("whatsapp:qrcode") == [{"whatsappId": w.ids["whatsapp"], "qrcode": "2@abc,def"}]
    assert supervisor.received("whatsapp:qrcode") == [{"whatsappId": w.ids["whatsapp"], "qrcode": "2@abc,def"}]
    await w.accept("ticket_a", "agent_a")  # barrier
    await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    assert agent_a.received("whatsapp:connection") == []
    assert agent_a.received("whatsapp:qrcode") == []


async def test_revoked_sessions_are_disconnected_and_cannot_reconnect(live: LiveServer, clients) -> None:
    w = live.world
    token = w.token("agent_a")
    first = await clients(live.url, token)
    second = await clients(live.url, token)
    other = await clients(live.url, w.token("agent_b"))
    await w.revoke("agent_a")
    async with asyncio.timeout(10):
        await first.disconnected.wait()
        await second.disconnected.wait()
    assert other.client.connected
    again = await clients(live.url, token, expect_refusal=True)
    assert again.connect_errors == [{"message": "unauthorized"}]


async def test_a_stale_token_is_dropped_on_its_next_join(live: LiveServer, clients) -> None:
    w = live.world
    agent_a = await clients(live.url, w.token("agent_a"))
    async with w.uow() as uow:  # the version moves without an event reaching this process
        user = await uow.users.get(w.ids["agent_a"])
        assert user is not None
        user.token_version += 1
        await uow.users.save(user)
        await uow.commit()
    await agent_a.client.emit("join:ticket", w.ids["ticket_a"])
    error = await agent_a.wait_for("error")
    assert error == {"code": "unauthorized", "event": "join:ticket", "id": w.ids["ticket_a"]}
    async with asyncio.timeout(10):
        await agent_a.disconnected.wait()
