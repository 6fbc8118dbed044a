"""Crash safety of the inbox, with real processes: a worker SIGKILLed while it processes a stored inbound event (a
retry after the first processing failed) loses nothing, and the event is stored exactly once by the next worker."""

from __future__ import annotations

from pathlib import Path

from pipeline_deployment import Api, Deployment, connected_whatsapp, register_admin, until


async def test_a_worker_killed_mid_inbox_loses_nothing(deployment: Deployment, tmp_path: Path) -> None:
    marker = tmp_path / "inbox-started"
    await deployment.start_serve()
    deployment.start_worker("doomed", block_inbox=marker)
    api = Api(deployment.base)
    try:
        await register_admin(api)
        wid = await connected_whatsapp(api, deployment)
        # The first processing (in the process WhatsApp handed the event to) fails: a job retries it in a worker.
        await api.post("/dev/simulator/fail-inbound", 202, json={"whatsappId": wid, "count": 1})
        inbound = {
            "whatsappId": wid,
            "from": "5511977773333",
            "name": "Caio",
            "body": "Still there?",
            "waMessageId": "K1",
        }
        await api.post("/dev/simulator/inbound", 202, json=inbound)

        async def inside_processing() -> bool:
            deployment.check_alive()
            return marker.exists()

        await until(inside_processing, "the doomed worker to be processing the stored event")
        deployment.kill("doomed")
        assert (await api.get("/tickets"))["items"] == []  # stored, not processed yet

        deployment.start_worker("restarted")

        async def stored() -> list[str]:
            deployment.check_alive()
            tickets = (await api.get("/tickets"))["items"]
            if not tickets:
                return []
            page = await api.get("/messages", params={"ticketId": tickets[0]["id"]})
            return [m["body"] for m in page["items"]]

        async def processed() -> bool:
            return await stored() == ["Still there?"]

        await until(processed, "the restarted worker to process the event")
        assert (await api.get(f"/whatsapps/{wid}/inbox-failures"))["items"] == []
        assert await stored() == ["Still there?"]
        assert len((await api.get("/tickets"))["items"]) == 1
    finally:
        await api.close()
