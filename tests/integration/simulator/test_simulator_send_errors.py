"""Simulator mode, send errors by kind through the served app: `fail-next` with `errorKind`, the message's `errorKind`
on `failed`, and a timed-out send settled by WhatsApp's receipt."""

from __future__ import annotations

from simulator_harness import Sim, on_message
from test_simulator_outbound import _conversation, _reply


async def test_a_permanent_failure_is_failed_at_once_with_its_kind(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    failure = {"whatsappId": wid, "count": 1, "error": "server returned error 479", "errorKind": "permanent"}
    await sim.call("POST", "/dev/simulator/fail-next", 202, json=failure)

    reply = await _reply(sim, ticket, "Hello?")

    updated = (await rec.wait_for("message:updated", on_message(reply["id"])))["message"]
    assert (updated["ack"], updated["errorKind"], updated["error"]) == ("failed", "permanent", failure["error"])
    assert (await sim.message(reply["id"]))["errorKind"] == "permanent"
    assert await sim.outbox(wid) == []


async def test_rate_limited_and_transient_failures_are_retried_until_sent(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    for kind in ("rate_limited", "transient"):
        failure = {"whatsappId": wid, "count": 1, "error": f"{kind} now", "errorKind": kind}
        await sim.call("POST", "/dev/simulator/fail-next", 202, json=failure)
        reply = await _reply(sim, ticket, f"after {kind}")
        updated = (await rec.wait_for("message:updated", on_message(reply["id"])))["message"]
        assert (updated["ack"], updated["errorKind"]) == ("sent", None)
    assert [item["body"] for item in await sim.outbox(wid)] == ["after rate_limited", "after transient"]


async def test_a_timeout_is_unknown_until_the_receipt_arrives(sim: Sim) -> None:
    rec = await sim.socket()
    wid, ticket = await _conversation(sim)
    failure = {"whatsappId": wid, "count": 1, "error": "info query timed out", "errorKind": "timeout"}
    await sim.call("POST", "/dev/simulator/fail-next", 202, json=failure)

    reply = await _reply(sim, ticket, "Your code is 1234")

    updated = (await rec.wait_for("message:updated", on_message(reply["id"])))["message"]
    assert (updated["ack"], updated["errorKind"]) == ("failed", "unknown")
    [sent] = await sim.outbox(wid)  # WhatsApp had it all along: it was not sent twice
    receipt = {"whatsappId": wid, "waMessageIds": [sent["waMessageId"]], "type": "delivered"}
    await sim.call("POST", "/dev/simulator/receipt", 202, json=receipt)
    settled = (await rec.wait_for("message:updated", lambda e: e["message"]["ack"] == "delivered"))["message"]
    assert (settled["id"], settled["errorKind"], settled["error"]) == (reply["id"], None, None)


async def test_fail_next_refuses_an_unknown_error_kind(sim: Sim) -> None:
    wid = await sim.connection()
    bad = {"whatsappId": wid, "count": 1, "errorKind": "meteor"}
    body = await sim.call("POST", "/dev/simulator/fail-next", 400, json=bad)
    assert body["code"] == "validation_error"
