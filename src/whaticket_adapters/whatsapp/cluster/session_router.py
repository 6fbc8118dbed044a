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
import contextlib
import time
from collections.abc import Callable
from typing import Any

from saq import Worker
from saq.job import TERMINAL_STATUSES, UNSUCCESSFUL_TERMINAL_STATUSES
from saq.queue.base import JobError
from saq.queue.redis import RedisQueue

from whaticket_adapters.patient_queue import PatientRedisQueue
from whaticket_core.domain.message import MediaFile
from whaticket_core.ports.transport import Recipient, TransportError

from ..ports import WhatsAppPorts
from .session_calls import (
    PERFORM,
    Answer,
    DeleteForEveryone,
    EditText,
    Fetch,
    Logout,
    MarkRead,
    RejectCall,
    RequestPairCode,
    SendMedia,
    SendText,
    SessionCall,
    StartSession,
    decode_answer,
    decode_call,
    encode,
    perform,
)

SESSION_CALL = "whaticket.session_call"
DEFAULT_PREFIX = "whaticket-wa"


class _CallQueue(PatientRedisQueue):
    """A session call queue never sweeps. SAQ's sweep takes a job that was just dequeued but not yet marked active
    for an abandoned one and aborts it (seen here at worker start); callers withdraw their own unanswered calls, so
    there is nothing to sweep."""

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        return []


def session_queue_name(prefix: str, whatsapp_id: int) -> str:
    return f"{prefix}-{int(whatsapp_id)}"


class SessionCallServer:
    """The holder's side: while this process holds connection ``id``'s session (``start(id)`` .. ``stop(id)``, bound
    to the :class:`~whaticket_adapters.whatsapp.cluster.lease.SessionOwner`), a SAQ worker serves its call queue."""

    def __init__(self, redis_url: str, local: WhatsAppPorts, *, prefix: str = DEFAULT_PREFIX, concurrency: int = 4):
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

        async def call(ctx: dict[str, Any], *, call: str, deadline: float) -> str:
            if time.time() > deadline:  # the caller gave up already: running now could send twice
                return encode(Answer(error="session call expired before it ran", retryable=True))
            try:
                return encode(await perform(self._local, whatsapp_id, decode_call(call)))
            except TransportError as error:
                return encode(Answer(error=error.reason, retryable=error.retryable))

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
        local: WhatsAppPorts,
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
        return (await self._call(whatsapp_id, SendText(to, body, quoted_wa_message_id))).require_text()

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str:
        if not isinstance(media.data, bytes):
            raise TransportError("media must be bytes", retryable=False)
        return (await self._call(whatsapp_id, SendMedia(to, media, caption, quoted_wa_message_id))).require_text()

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        (await self._call(whatsapp_id, EditText(to, wa_message_id, body))).raise_error()

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        (await self._call(whatsapp_id, DeleteForEveryone(to, wa_message_id))).raise_error()

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        (await self._call(whatsapp_id, MarkRead(chat, tuple(wa_message_ids)))).raise_error()

    async def reject_call(self, whatsapp_id: int, caller: Recipient, call_id: str) -> None:
        (await self._call(whatsapp_id, RejectCall(caller, call_id))).raise_error()

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        return (await self._call(whatsapp_id, Fetch(media_ref))).require_data()

    async def start_session(self, whatsapp_id: int) -> None:
        if self._holds(whatsapp_id):
            return await self._local.start_session(whatsapp_id)
        with contextlib.suppress(TransportError):  # nobody holds it yet: a SessionOwner will start it
            await self._remote(whatsapp_id, StartSession(), wait_s=min(self._call_timeout, 5.0))

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str:
        return (await self._call(whatsapp_id, RequestPairCode(phone_number))).require_text()

    async def logout(self, whatsapp_id: int) -> None:
        (await self._call(whatsapp_id, Logout())).raise_error()

    async def _call(self, whatsapp_id: int, call: SessionCall) -> Answer:
        """Run ``call`` on the local transport when it holds the session (its errors raise as they are), else on the
        holder's."""
        if self._holds(whatsapp_id):
            return await PERFORM[type(call)](self._local, whatsapp_id, call)
        return await self._remote(whatsapp_id, call)

    async def _queue(self, whatsapp_id: int) -> RedisQueue:
        queue = self._queues.get(whatsapp_id)
        if queue is None:
            queue = RedisQueue.from_url(self._redis_url, name=session_queue_name(self._prefix, whatsapp_id))
            await queue.connect()
            self._queues[whatsapp_id] = queue
        return queue

    async def _remote(self, whatsapp_id: int, call: SessionCall, *, wait_s: float | None = None) -> Answer:
        wait = wait_s or self._call_timeout
        queue = await self._queue(whatsapp_id)
        job = await queue.enqueue(
            SESSION_CALL, call=encode(call), deadline=time.time() + wait, timeout=int(wait) + 1, retries=1
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
        return decode_answer(job.result)

    async def _finished(self, job: Any) -> None:
        while True:
            await job.refresh()
            if job.status in UNSUCCESSFUL_TERMINAL_STATUSES:
                raise JobError(job)
            if job.status in TERMINAL_STATUSES:
                return
            await asyncio.sleep(self._poll_interval)
