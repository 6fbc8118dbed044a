"""The production layout (``whaticket serve`` plus a ``whaticket worker`` process, PostgreSQL and Redis): a customer
known only by LID gets a ticket and an answer delivered by the worker; WhatsApp revealing the number makes the two
contacts one; a rejected call is answered through the worker."""

from __future__ import annotations

from typing import Any

from pipeline_deployment import Api, Deployment, connected_whatsapp, register_admin, until

NUMBER = "5511977775555"
LID = "209876543210987"


async def test_a_lid_only_customer_is_answered_and_merged_when_the_number_is_revealed(deployment: Deployment) -> None:
    await deployment.start_serve()
    deployment.start_worker("worker")
    api = Api(deployment.base)
    try:
        await register_admin(api)
        wid = await connected_whatsapp(api, deployment, rejectCalls=True, callRejectMessage="No calls, please write")

        async def sent(to: str) -> list[dict[str, Any]]:
            deployment.check_alive()
            return [i for i in await api.outbox(wid) if i["to"] == to]

        # A LID-only customer: a contact without number, a ticket, and the agent's answer addressed by LID.
        await api.post("/dev/simulator/inbound", 202, json={"whatsappId": wid, "fromLid": LID, "body": "oi"})
        [lid_ticket] = (await api.get("/tickets"))["items"]
        assert (lid_ticket["contact"]["number"], lid_ticket["contact"]["lid"]) == (None, LID)
        await api.post("/messages", 201, json={"ticketId": lid_ticket["id"], "body": "Hello there"})
        [answer] = await until(lambda: sent(f"{LID}@lid"), "the answer to the LID address")
        assert answer["body"] == "Hello there"

        # The same person writes from the number (a second contact), then WhatsApp reveals they are one.
        await api.post("/dev/simulator/inbound", 202, json={"whatsappId": wid, "from": NUMBER, "body": "it's me"})
        assert len((await api.get("/contacts"))["items"]) == 2
        await api.post("/dev/simulator/lid-mapping", 202, json={"whatsappId": wid, "lid": LID, "number": NUMBER})
        [contact] = (await api.get("/contacts"))["items"]
        assert (contact["number"], contact["lid"]) == (NUMBER, LID)
        active = [t for t in (await api.get("/tickets"))["items"] if t["status"] != "closed"]
        assert [t["id"] for t in active] == [lid_ticket["id"]]  # both pending: the older one is kept
        bodies = [m["body"] for m in (await api.get("/messages", params={"ticketId": lid_ticket["id"]}))["items"]]
        assert sorted(bodies) == ["Hello there", "it's me", "oi"]

        # A call: rejected, recorded, and the rejection message delivered by the worker to the number.
        await api.post("/dev/simulator/call", 202, json={"whatsappId": wid, "fromLid": LID})
        [reply] = await until(lambda: sent(NUMBER), "the call rejection message")
        assert reply["body"] == "No calls, please write"
        rejected = await api.outbox(wid, kind="reject-call")
        assert [r["to"] for r in rejected] == [NUMBER]
        kinds = [m["mediaType"] for m in (await api.get("/messages", params={"ticketId": lid_ticket["id"]}))["items"]]
        assert "call" in kinds
    finally:
        await api.close()
