"""Calls on a connection whose session lives in another process, through SAQ (production: API + workers).

Jobs run on any worker, but a connection's session runs in exactly one (the lease holder). The holder serves a SAQ
queue of its own per held connection (``whaticket-wa-<id>``, :class:`SessionCallServer`); everyone else reaches the
session through :class:`SessionRouter`, which calls the local transport when this process holds the session and
otherwise ``apply``-s the call on that queue and waits for the answer. Nobody holding the session means a retryable
:class:`TransportError` after ``call_timeout``; the call is then aborted so it cannot run late and send twice (a call
already running when aborted may still complete: at least once, like every job).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

from saq import Worker
from saq.job import TERMINAL_STATUSES, UNSUCCESSFUL_TERMINAL_STATUSES
from saq.queue.base import JobError
from saq.queue.redis import RedisQueue

from whaticket_adapters.jobs.patient_queue import PatientRedisQueue
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.ports.transport import Recipient, TransportError

SESSION_CALL = "whaticket.session_call"
DEFAULT_PREFIX = "whaticket-wa"


class LocalTransport(Protocol):
    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str: ...

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str: ...

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None: ...

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None: ...

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None: ...

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes: ...

    async def start_session(self, whatsapp_id: int) -> None: ...

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str: ...

    async def logout(self, whatsapp_id: int) -> None: ...


class _CallQueue(PatientRedisQueue):
    """A session call queue never sweeps. SAQ's sweep takes a job that was just dequeued but not yet marked active
    for an abandoned one and aborts it (seen here at worker start); callers withdraw their own unanswered calls, so
    there is nothing to sweep."""

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        return []


def session_queue_name(prefix: str, whatsapp_id: int) -> str:
    return f"{prefix}-{int(whatsapp_id)}"


async def _perform(local: LocalTransport, op: str, whatsapp_id: int, args: dict[str, Any]) -> Any:
    """Run one routed call on the local transport; the result must be JSON-friendly."""
    to = Recipient(args["to"], bool(args.get("is_group"))) if "to" in args else None
    if op == "send_text" and to is not None:
        return await local.send_text(whatsapp_id, to, args["body"], quoted_wa_message_id=args.get("quoted"))
    if op == "send_media" and to is not None:
        m = args["media"]
        media = MediaFile(
            data=base64.b64decode(m["data"]),
            media_type=MediaType(m["media_type"]),
            mime_type=m["mime_type"],
            file_name=m["file_name"],
        )
        return await local.send_media(
            whatsapp_id, to, media, caption=args.get("caption", ""), quoted_wa_message_id=args.get("quoted")
        )
    if op == "edit_text" and to is not None:
        return await local.edit_text(whatsapp_id, to, args["wa_message_id"], args["body"])
    if op == "delete_for_everyone" and to is not None:
        return await local.delete_for_everyone(whatsapp_id, to, args["wa_message_id"])
    if op == "mark_read" and to is not None:
        return await local.mark_read(whatsapp_id, to, tuple(args["ids"]))
    if op == "fetch":
        return base64.b64encode(await local.fetch(whatsapp_id, args["media_ref"])).decode("ascii")
    if op == "start_session":
        return await local.start_session(whatsapp_id)
    if op == "request_pair_code":
        return await local.request_pair_code(whatsapp_id, args["phone"])
    if op == "logout":
        return await local.logout(whatsapp_id)
    raise TransportError(f"unknown session call {op!r}", retryable=False)


class SessionCallServer:
    """The holder's side: while this process holds connection ``id``'s session (``start(id)`` .. ``stop(id)``, bound
    to the :class:`~whaticket_adapters.whatsapp.cluster.lease.SessionOwner`), a SAQ worker serves its call queue."""

    def __init__(self, redis_url: str, local: LocalTransport, *, prefix: str = DEFAULT_PREFIX, concurrency: int = 4):
        self._redis_url = redis_url
        self._local = local
        self._prefix = prefix
        self._concurrency = concurrency
        self._workers: dict[int, tuple[Worker[Any], RedisQueue, asyncio.Task[None]]] = {}

    async def start(self, whatsapp_id: int) -> None:
        if whatsapp_id in self._workers:
            return
        queue = _CallQueue.from_url(self._redis_url, name=session_queue_name(self._prefix, whatsapp_id))
        await queue.connect()

        async def call(ctx: dict[str, Any], *, op: str, args: dict[str, Any], deadline: float) -> dict[str, Any]:
            if time.time() > deadline:  # the caller gave up already: running now could send twice
                return {"error": "session call expired before it ran", "retryable": True}
            try:
                return {"result": await _perform(self._local, op, whatsapp_id, args)}
            except TransportError as error:
                return {"error": error.reason, "retryable": error.retryable}

        worker: Worker[Any] = Worker(queue, [(SESSION_CALL, call)], concurrency=self._concurrency)
        # A SAQ worker takes over SIGINT/SIGTERM while it runs and removes the handlers when it stops, which would
        # strip them from the process's main worker: these per-connection workers leave signals alone.
        worker.SIGNALS = []
        task = asyncio.create_task(worker.start(), name=f"whatsapp-session-calls-{whatsapp_id}")
        self._workers[whatsapp_id] = (worker, queue, task)

    async def stop(self, whatsapp_id: int) -> None:
        entry = self._workers.pop(whatsapp_id, None)
        if entry is None:
            return
        worker, queue, task = entry
        await worker.stop()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await queue.disconnect()

    async def close(self) -> None:
        for whatsapp_id in list(self._workers):
            await self.stop(whatsapp_id)


class SessionRouter:
    """``MessageSender``, ``SessionController`` and ``MediaFetcher`` for a process that may not hold the session:
    ``holds(id)`` says whether ``local`` does (e.g. ``NeonizeTransport.holds``); other calls go to the holder.

    ``start_session`` on a connection nobody holds does nothing here: the workers' SessionOwner starts sessions of
    the connections that want one (its ``wanted()``), so starting is a matter of the connection's stored status.
    """

    def __init__(
        self,
        local: LocalTransport,
        *,
        redis_url: str,
        holds: Callable[[int], bool],
        prefix: str = DEFAULT_PREFIX,
        call_timeout: float = 30.0,
        poll_interval: float = 0.05,
    ) -> None:
        self._local = local
        self._redis_url = redis_url
        self._holds = holds
        self._prefix = prefix
        self._call_timeout = call_timeout
        self._poll_interval = poll_interval
        self._queues: dict[int, RedisQueue] = {}

    async def close(self) -> None:
        for queue in self._queues.values():
            await queue.disconnect()
        self._queues.clear()

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        if self._holds(whatsapp_id):
            return await self._local.send_text(whatsapp_id, to, body, quoted_wa_message_id=quoted_wa_message_id)
        args = {**_to(to), "body": body, "quoted": quoted_wa_message_id}
        return str(await self._remote(whatsapp_id, "send_text", args))

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str:
        if self._holds(whatsapp_id):
            return await self._local.send_media(
                whatsapp_id, to, media, caption=caption, quoted_wa_message_id=quoted_wa_message_id
            )
        if not isinstance(media.data, bytes):
            raise TransportError("media must be bytes", retryable=False)
        encoded = {
            "data": base64.b64encode(media.data).decode("ascii"),
            "media_type": media.media_type.value,
            "mime_type": media.mime_type,
            "file_name": media.file_name,
        }
        args = {**_to(to), "media": encoded, "caption": caption, "quoted": quoted_wa_message_id}
        return str(await self._remote(whatsapp_id, "send_media", args))

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        if self._holds(whatsapp_id):
            return await self._local.edit_text(whatsapp_id, to, wa_message_id, body)
        await self._remote(whatsapp_id, "edit_text", {**_to(to), "wa_message_id": wa_message_id, "body": body})

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        if self._holds(whatsapp_id):
            return await self._local.delete_for_everyone(whatsapp_id, to, wa_message_id)
        await self._remote(whatsapp_id, "delete_for_everyone", {**_to(to), "wa_message_id": wa_message_id})

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        if self._holds(whatsapp_id):
            return await self._local.mark_read(whatsapp_id, chat, wa_message_ids)
        await self._remote(whatsapp_id, "mark_read", {**_to(chat), "ids": list(wa_message_ids)})

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        if self._holds(whatsapp_id):
            return await self._local.fetch(whatsapp_id, media_ref)
        return base64.b64decode(await self._remote(whatsapp_id, "fetch", {"media_ref": media_ref}))

    async def start_session(self, whatsapp_id: int) -> None:
        if self._holds(whatsapp_id):
            return await self._local.start_session(whatsapp_id)
        with contextlib.suppress(TransportError):  # nobody holds it yet: a SessionOwner will start it
            await self._remote(whatsapp_id, "start_session", {}, wait_s=min(self._call_timeout, 5.0))

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str:
        if self._holds(whatsapp_id):
            return await self._local.request_pair_code(whatsapp_id, phone_number)
        return str(await self._remote(whatsapp_id, "request_pair_code", {"phone": phone_number}))

    async def logout(self, whatsapp_id: int) -> None:
        if self._holds(whatsapp_id):
            return await self._local.logout(whatsapp_id)
        await self._remote(whatsapp_id, "logout", {})

    async def _queue(self, whatsapp_id: int) -> RedisQueue:
        queue = self._queues.get(whatsapp_id)
        if queue is None:
            queue = RedisQueue.from_url(self._redis_url, name=session_queue_name(self._prefix, whatsapp_id))
            await queue.connect()
            self._queues[whatsapp_id] = queue
        return queue

    async def _remote(self, whatsapp_id: int, op: str, args: dict[str, Any], *, wait_s: float | None = None) -> Any:
        wait = wait_s or self._call_timeout
        queue = await self._queue(whatsapp_id)
        job = await queue.enqueue(
            SESSION_CALL, op=op, args=args, deadline=time.time() + wait, timeout=int(wait) + 1, retries=1
        )
        if job is None:  # a random key never collides; a None here means the queue refused it
            raise TransportError("session call not queued", retryable=True)
        try:
            await asyncio.wait_for(self._finished(job), wait)
        except TimeoutError:
            with contextlib.suppress(Exception):
                await queue.abort(job, "caller timed out")
            raise TransportError(f"no worker answered for WhatsApp connection {whatsapp_id}", retryable=True) from None
        except JobError as error:
            raise TransportError(f"session call failed: {error}", retryable=True) from error
        outcome = job.result or {}
        if "error" in outcome:
            raise TransportError(str(outcome["error"]), retryable=bool(outcome.get("retryable", True)))
        return outcome.get("result")

    async def _finished(self, job: Any) -> None:
        while True:
            await job.refresh()
            if job.status in UNSUCCESSFUL_TERMINAL_STATUSES:
                raise JobError(job)
            if job.status in TERMINAL_STATUSES:
                return
            await asyncio.sleep(self._poll_interval)


def _to(recipient: Recipient) -> dict[str, Any]:
    return {"to": recipient.address, "is_group": recipient.is_group}
