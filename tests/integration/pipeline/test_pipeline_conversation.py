"""A whole conversation through a production deployment: ``whaticket serve`` and ``whaticket worker`` as processes on
PostgreSQL and Redis, the simulated WhatsApp, and Socket.IO clients of an admin and an agent.

customer writes -> ticket and routing menu -> customer picks a queue -> its greeting -> the agent accepts, reads and
replies -> sent -> delivered -> read -> close -> farewell. Each step is checked over HTTP (tickets, messages, the
simulator's outbox) and as the contract's Socket.IO events, which cross from the worker to the server through Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import socketio
from pipeline_deployment import PASSWORD, Api, Deployment, connected_whatsapp, register_admin, until
from realtime_support import WAIT, Recorder

CUSTOMER = "5511977774444"


def message_event(body: str, **expected: Any) -> Callable[[Any], bool]:
    def matches(data: Any) -> bool:
        message = (data or {}).get("message") or {}
        return message.get("body") == body and all(message.get(k) == v for k, v in expected.items())

    return matches


def ticket_event(ticket_id: int, **expected: Any) -> Callable[[Any], bool]:
    def matches(data: Any) -> bool:
        ticket = (data or {}).get("ticket") or {}
        return ticket.get("id") == ticket_id and all(ticket.get(k) == v for k, v in expected.items())

    return matches


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[[str, str], Any]]:
    """``await listen(url, token)`` -> a connected recording Socket.IO client; all disconnected at the end."""
    made: list[Recorder] = []

    async def listen(url: str, token: str) -> Recorder:
        client = socketio.AsyncClient(reconnection=False)
        recorder = Recorder(client)

        @client.on("*")
        async def any_event(event: str, data: Any = None) -> None:
            await recorder._record(event, data)

        made.append(recorder)
        await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
        await recorder.wait_for("connected")
        return recorder

    yield listen
    for recorder in made:
        if recorder.client.connected:
            await recorder.client.disconnect()


async def test_a_conversation_from_first_message_to_farewell(
    deployment: Deployment, sockets: Callable[[str, str], Any]
) -> None:
    await deployment.start_serve()
    deployment.start_worker("worker")
    api, agent_api = Api(deployment.base), Api(deployment.base)
    try:
        admin = await register_admin(api)
        sales = await api.post(
            "/queues", 201, json={"name": "Sales", "color": "#00AA00", "greetingMessage": "Sales here"}
        )
        support = await api.post("/queues", 201, json={"name": "Support", "color": "#0000AA"})
        agent_user = {"name": "Ana", "email": "ana@example.com", "password": PASSWORD, "role": "user"}
        agent = await api.post("/users", 201, json={**agent_user, "queueIds": [sales["id"]]})
        login = await agent_api.post("/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
        agent_api.as_user(login["accessToken"])
        wid = await connected_whatsapp(
            api,
            deployment,
            greetingMessage="Welcome, {{name}}!",
            farewellMessage="Bye {{name}}",
            queueIds=[sales["id"], support["id"]],
        )
        staff = await sockets(deployment.base, admin["accessToken"])
        desk = await sockets(deployment.base, login["accessToken"])

        async def sent_texts() -> list[str]:
            return [i["body"] for i in await api.outbox(wid)]

        async def outbox_has(body: str) -> list[str]:
            deployment.check_alive()
            texts = await sent_texts()
            return texts if body in texts else []

        # 1. The customer writes: a pending ticket with no queue, and the routing menu goes out through the worker.
        hello = {"whatsappId": wid, "from": CUSTOMER, "name": "Rita", "body": "Oi", "waMessageId": "C1"}
        await api.post("/dev/simulator/inbound", 202, json=hello)
        tickets = (await api.get("/tickets"))["items"]
        assert [(t["status"], t["queueId"], t["contact"]["name"]) for t in tickets] == [("pending", None, "Rita")]
        tid = tickets[0]["id"]
        menu = "Welcome, Rita!\n\n*1* - Sales\n*2* - Support"
        assert await until(lambda: outbox_has(menu), "the routing menu") == [menu]
        for recorder in (staff, desk):  # the agent sees it through the room of pending tickets with no queue
            await recorder.wait_for("ticket:created", ticket_event(tid, status="pending"))
            await recorder.wait_for("message:created", message_event("Oi", fromMe=False))
        await staff.wait_for("message:created", message_event(menu, fromMe=True, ack="pending"))
        await staff.wait_for("message:updated", message_event(menu, ack="sent"))

        # 2. The customer picks Sales: the ticket joins the queue and the queue's greeting goes out.
        pick = {"whatsappId": wid, "from": CUSTOMER, "body": "1", "waMessageId": "C2"}
        await api.post("/dev/simulator/inbound", 202, json=pick)
        assert (await api.get(f"/tickets/{tid}"))["queueId"] == sales["id"]
        assert await until(lambda: outbox_has("Sales here"), "the queue's greeting") == [menu, "Sales here"]
        await desk.wait_for("ticket:updated", ticket_event(tid, queueId=sales["id"]))
        await desk.wait_for("message:updated", message_event("Sales here", ack="sent"))

        # 3. The agent accepts and reads: the ticket is theirs, and WhatsApp gets read receipts for the customer.
        accepted = await agent_api.post(f"/tickets/{tid}/accept")
        assert (accepted["status"], accepted["userId"]) == ("open", agent["id"])
        await staff.wait_for("ticket:updated", ticket_event(tid, status="open", userId=agent["id"]))
        await agent_api.post(f"/tickets/{tid}/read", 204)

        async def read_receipt() -> list[dict[str, Any]]:
            deployment.check_alive()
            return await api.outbox(wid, kind="read-receipt")

        receipts = await until(read_receipt, "the read receipts")
        assert receipts[0]["to"] == CUSTOMER
        assert "C2" in receipts[0]["waMessageIds"]
        assert (await agent_api.get(f"/tickets/{tid}"))["unreadMessages"] == 0

        # 4. The agent replies: stored pending, sent by the worker, then delivered and read by the customer's phone.
        reply = await agent_api.post("/messages", 201, json={"ticketId": tid, "body": "Hi Rita, Ana from Sales"})
        assert (reply["ack"], reply["fromMe"]) == ("pending", True)
        await desk.wait_for("message:created", message_event(reply["body"], ack="pending"))
        await until(lambda: outbox_has(reply["body"]), "the reply to go out")
        await desk.wait_for("message:updated", message_event(reply["body"], ack="sent"))
        wa_id = next(i["waMessageId"] for i in await api.outbox(wid) if i["body"] == reply["body"])
        for ack in ("delivered", "read"):
            receipt = {"whatsappId": wid, "waMessageIds": [wa_id], "type": ack}
            await api.post("/dev/simulator/receipt", 202, json=receipt)
            assert (await agent_api.get(f"/messages/{reply['id']}"))["ack"] == ack
            for recorder in (staff, desk):
                await recorder.wait_for("message:updated", message_event(reply["body"], ack=ack))
        page = (await agent_api.get("/messages", params={"ticketId": tid}))["items"]
        assert [(m["body"], m["fromMe"], m["ack"]) for m in reversed(page)] == [
            ("Oi", False, "delivered"),  # a customer's message is stored delivered; reading it changes no ack
            (menu, True, "sent"),
            ("1", False, "delivered"),
            ("Sales here", True, "sent"),
            (reply["body"], True, "read"),
        ]

        # 5. The agent closes the ticket: closed, and the farewell goes out.
        closed = await agent_api.post(f"/tickets/{tid}/close")
        assert (closed["status"], closed["closedAt"] is not None) == ("closed", True)
        for recorder in (staff, desk):
            await recorder.wait_for("ticket:closed", ticket_event(tid, status="closed"))
            await recorder.wait_for("ticket:updated", ticket_event(tid, status="closed"))
        assert await until(lambda: outbox_has("Bye Rita"), "the farewell") == [
            menu,
            "Sales here",
            reply["body"],
            "Bye Rita",
        ]
        await staff.wait_for("message:updated", message_event("Bye Rita", ack="sent"))
        assert (await api.get("/tickets", params={"status": "closed"}))["items"][0]["id"] == tid
        # Each socket got each event once.
        assert len(desk.received("ticket:closed", ticket_event(tid))) == 1
        assert len(staff.received("message:created", message_event(reply["body"]))) == 1
    finally:
        await api.close()
        await agent_api.close()
