"""A session's life: connect, report, reconnect with backoff, give up on an unscanned QR.

neonize never retries a failed connect, so the supervisor owns the reconnect loop. A connect task must never be
cancelled (it would freeze the event loop until the Go dial deadline): the supervisor only waits on it shielded,
and stopping a session disconnects the client instead, with a bounded wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from whaticket_core.domain.whatsapp import ConnectionStatus

from ..backoff import Backoff
from .client import NeonizeClient

log = logging.getLogger(__name__)

DISCONNECT_TIMEOUT = 10.0  # a stalled dial makes disconnect() wait for the Go deadline (~56 s); we stop waiting sooner

ReportStatus = Callable[[int, ConnectionStatus], Awaitable[None]]


@dataclass(slots=True)
class Session:
    whatsapp_id: int
    client: NeonizeClient
    supervisor: asyncio.Task[None] | None = None
    connect_task: asyncio.Task[None] | None = None
    stopping: bool = False
    connected: bool = False
    ever_connected: bool = False
    saw_qr: bool = False
    connected_this_attempt: bool = False
    websocket_up: asyncio.Event = field(default_factory=asyncio.Event)


async def bounded(call: Awaitable[object]) -> None:
    """Wait for ``call`` at most DISCONNECT_TIMEOUT; its failure is only logged (it runs while shutting down)."""
    task = asyncio.ensure_future(call)
    done, _pending = await asyncio.wait({task}, timeout=DISCONNECT_TIMEOUT)
    if task in done and task.exception() is not None:
        log.debug("ignored during shutdown: %r", task.exception())


class ExecutorSizer:
    """Each session holds a thread of the loop's default executor: give the loop enough of them, once per loop."""

    def __init__(self, max_sessions: int) -> None:
        self._max_sessions = max_sessions
        self._loop: asyncio.AbstractEventLoop | None = None

    def ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        loop.set_default_executor(ThreadPoolExecutor(max_workers=self._max_sessions + 16, thread_name_prefix="neonize"))
        self._loop = loop


async def supervise(
    session: Session,
    *,
    report: ReportStatus,
    backoff: Backoff,
    sleep: Callable[[float], Awaitable[None]],
    forget: Callable[[Session], None],
) -> None:
    """Keep ``session`` connected until it is stopping; ``forget`` drops it when its QR codes went unscanned."""
    attempt = 0
    while not session.stopping:
        await report(session.whatsapp_id, ConnectionStatus.OPENING)
        session.saw_qr = session.connected_this_attempt = False
        try:
            session.connect_task = await session.client.connect()
            await asyncio.shield(session.connect_task)  # never cancel a connect task (see the module docstring)
            reason = "session ended"
        except asyncio.CancelledError:
            raise
        except Exception as error:
            reason = str(error)
        session.connected = False
        session.websocket_up.clear()
        if session.stopping:
            return
        if session.saw_qr and not session.ever_connected:
            # Nobody scanned the QR codes: wait for a new start instead of showing QR codes forever.
            log.info("connection %s: QR not scanned (%s)", session.whatsapp_id, reason)
            forget(session)
            session.stopping = True
            await bounded(session.client.stop())
            await report(session.whatsapp_id, ConnectionStatus.TIMEOUT)
            return
        # A session that got connected earns a fresh start; repeated failures wait longer and longer.
        attempt = 0 if session.connected_this_attempt else attempt + 1
        delay = backoff.delay(attempt)
        log.warning("connection %s lost (%s); reconnecting in %.1fs", session.whatsapp_id, reason, delay)
        # OPENING while we keep trying (as Whaticket shows it); DISCONNECTED is kept for sessions that ended
        # (logout, replaced, banned), so "wants a session" can be read from the stored status.
        await report(session.whatsapp_id, ConnectionStatus.OPENING)
        await sleep(delay)
