"""Automation across processes in a production deployment (``whaticket serve`` and ``whaticket worker`` on
PostgreSQL and Redis, the simulated WhatsApp): the agent's socket is on the server, the customer's message is handled
by the worker holding the session, and the worker finds the agent online through Redis and assigns the ticket; a
second customer, over the agent's capacity, gets the away message instead."""

from __future__ import annotations

from typing import Any

import socketio
from pipeline_deployment import PASSWORD, Api, Deployment, connected_whatsapp, register_admin, until
from realtime_support import WAIT, Recorder

CLOSED_WEEK = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def test_the_worker_assigns_to_an_agent_online_on_the_server(deployment: Deployment) -> None:
    await deployment.start_serve()
    deployment.start_worker("worker")
    api = Api(deployment.base)
    client = socketio.AsyncClient(reconnection=False)
    try:
        await register_admin(api)
        sales = await api.post("/queues", 201, json={"name": "Sales", "color": "#00AA00"})
        agent_user = {"name": "Ana", "email": "ana@example.com", "password": PASSWORD, "role": "user"}
        agent = await api.post("/users", 201, json={**agent_user, "queueIds": [sales["id"]], "maxOpenTickets": 1})
        wid = await connected_whatsapp(api, deployment, queueIds=[sales["id"]])
        await api.call("PUT", "/settings/autoAssign", json={"value": "round_robin"})
        await api.call("PUT", "/business-hours", json={"week": CLOSED_WEEK, "awayMessage": "We are closed"})

        login = await Api(deployment.base).post("/auth/login", json={"email": "ana@example.com", "password": PASSWORD})
        desk = Recorder(client)

        @client.on("*")
        async def any_event(event: str, data: Any = None) -> None:
            await desk._record(event, data)

        await client.connect(deployment.base, auth={"token": login["accessToken"]}, transports=["websocket"])
        await desk.wait_for("connected")

        for n, number in enumerate(("5511977775551", "5511977775552")):
            inbound = {"whatsappId": wid, "from": number, "body": "Oi", "waMessageId": f"P{n}"}
            await api.post("/dev/simulator/inbound", 202, json=inbound)

        async def settled() -> list[tuple[str, Any]]:
            deployment.check_alive()
            tickets = sorted((await api.get("/tickets"))["items"], key=lambda t: t["id"])
            found = [(t["status"], t["userId"]) for t in tickets]
            texts = [i["body"] for i in await api.outbox(wid)]
            return found if len(found) == 2 and found[0][0] == "open" and "We are closed" in texts else []

        assert await until(settled, "the first ticket assigned and the away message out", wait=WAIT) == [
            ("open", agent["id"]),
            ("pending", None),
        ]
        first, second = sorted((await api.get("/tickets"))["items"], key=lambda t: t["id"])
        await desk.wait_for("ticket:updated", lambda d: (d or {}).get("ticket", {}).get("id") == first["id"])
        assert [i["to"] for i in await api.outbox(wid) if i["body"] == "We are closed"] == [second["contact"]["number"]]
    finally:
        if client.connected:
            await client.disconnect()
        await api.close()
