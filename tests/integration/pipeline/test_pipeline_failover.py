"""Session failover between worker processes: the lease holder of a connection's session is SIGKILLed (so it never
releases the lease); the other worker takes the session over once the lease runs out, and keeps delivering."""

from __future__ import annotations

import time

from pipeline_deployment import LEASE_SECONDS, Api, Deployment, connected_whatsapp, pid_in, register_admin, until


async def test_the_surviving_worker_takes_the_session_over_within_the_lease(deployment: Deployment) -> None:
    await deployment.start_serve()
    deployment.start_worker("w1")
    deployment.start_worker("w2")
    api = Api(deployment.base)
    try:
        await register_admin(api)
        wid = await connected_whatsapp(api, deployment)
        pids = {deployment.pid_of("w1"): "w1", deployment.pid_of("w2"): "w2"}

        async def held() -> str | None:
            deployment.check_alive()
            return await deployment.lease_holder(wid)

        holder = await until(held, "a worker to hold the session lease")
        doomed = pids[pid_in(holder) or 0]
        survivor = "w2" if doomed == "w1" else "w1"
        deployment.kill(doomed)
        killed_at = time.monotonic()

        async def taken_over() -> str | None:
            deployment.check_alive()
            now = await deployment.lease_holder(wid)
            return now if now is not None and pid_in(now) == deployment.pid_of(survivor) else None

        # A dead holder's lease is never released: it runs out, then the survivor's next tick (a third of the lease
        # later at most) takes it. The wait allows for that and a slow machine, so only a real failure trips it.
        new_holder = await until(taken_over, "the surviving worker to take the lease", wait=LEASE_SECONDS * 3 + 10)
        takeover = time.monotonic() - killed_at
        print(f"\nlease takeover after SIGKILL: {takeover:.2f}s (lease {LEASE_SECONDS}s)")
        assert new_holder != holder
        assert (await api.get(f"/whatsapps/{wid}"))["status"] == "CONNECTED"

        inbound = {"whatsappId": wid, "from": "5511977773333", "name": "Caio", "body": "Still there?"}
        await api.post("/dev/simulator/inbound", 202, json=inbound)
        ticket = (await api.get("/tickets"))["items"][0]
        reply = await api.post("/messages", 201, json={"ticketId": ticket["id"], "body": "Yes, Caio"})

        async def delivered() -> bool:
            deployment.check_alive()
            return bool((await api.get(f"/messages/{reply['id']}"))["ack"] == "sent")

        await until(delivered, "the surviving worker to deliver")
        assert [i["body"] for i in await api.outbox(wid)] == ["Yes, Caio"]
        # The survivor still holds the session, renewing its lease.
        assert pid_in(await deployment.lease_holder(wid)) == deployment.pid_of(survivor)
    finally:
        await api.close()
