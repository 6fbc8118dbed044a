"""Crash safety of outbound delivery, with real processes: a worker SIGKILLed while its delivery job holds a message
committed ``pending`` (inside the transport call, before anything went out) loses nothing and doubles nothing; a
delivery job run again after success sends nothing."""

from __future__ import annotations

from pathlib import Path

from pipeline_deployment import REDIS_URL, Api, Deployment, connected_whatsapp, register_admin, until
from saq.job import Status

from whaticket_adapters.jobs import SaqJobQueue
from whaticket_core.ports.jobs import DeliverMessageJob


async def test_a_worker_killed_between_commit_and_send_delivers_exactly_once(
    deployment: Deployment, tmp_path: Path
) -> None:
    marker = tmp_path / "send-started"
    await deployment.start_serve()
    deployment.start_worker("doomed", block_sends=marker)
    api = Api(deployment.base)
    try:
        await register_admin(api)
        wid = await connected_whatsapp(api, deployment)
        inbound = {"whatsappId": wid, "from": "5511977772222", "name": "Bia", "body": "Oi", "waMessageId": "C1"}
        await api.post("/dev/simulator/inbound", 202, json=inbound)
        ticket = (await api.get("/tickets"))["items"][0]
        reply = await api.post("/messages", 201, json={"ticketId": ticket["id"], "body": "Exactly once, Bia"})
        assert reply["ack"] == "pending"

        async def inside_send() -> bool:
            deployment.check_alive()
            return marker.exists()

        await until(inside_send, "the doomed worker to be inside the send")
        deployment.kill("doomed")
        # The kill came after the commit of `pending` and before WhatsApp got anything.
        assert (await api.get(f"/messages/{reply['id']}"))["ack"] == "pending"
        assert await api.outbox(wid) == []

        deployment.start_worker("restarted")

        async def delivered() -> bool:
            deployment.check_alive()
            return bool((await api.get(f"/messages/{reply['id']}"))["ack"] == "sent")

        # SAQ's sweep finds the dead worker's job past its time limit and runs it again.
        await until(delivered, "the restarted worker to deliver the reply")
        sent = [i for i in await api.outbox(wid) if i["body"] == "Exactly once, Bia"]
        assert [(i["to"], i["body"]) for i in sent] == [("5511977772222", "Exactly once, Bia")]

        # The same job once more, through the real queue and worker: it completes and sends nothing.
        jobs = SaqJobQueue.from_url(REDIS_URL, name=f"{deployment.namespace}:jobs")
        await jobs.connect()
        try:
            job_key = f"deliver:{reply['id']}"
            first = await jobs.queue.job(job_key)
            assert first is not None
            assert first.status is Status.COMPLETE
            await jobs.enqueue(DeliverMessageJob(reply["id"]))

            async def rerun_done() -> bool:
                job = await jobs.queue.job(job_key)
                return job is not None and job.status is Status.COMPLETE and job.completed != first.completed

            await until(rerun_done, "the repeated delivery job to complete")
        finally:
            await jobs.disconnect()
        again = [i for i in await api.outbox(wid) if i["body"] == "Exactly once, Bia"]
        assert len(again) == 1
        message = await api.get(f"/messages/{reply['id']}")
        assert (message["ack"], message["error"]) == ("sent", None)
    finally:
        await api.close()
