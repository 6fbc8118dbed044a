"""The Socket.IO gateway: connection auth, rooms, join/leave authorization, and the control deliveries.

Rooms a socket is put in on connect: its personal room ``user:<id>``; admins and supervisors the staff room;
agents the no-queue room and the rooms of all their queues. Queues are auto-joined so an agent's
lists update with no client work; ``join:queue`` is still accepted (a no-op for a member, how staff opt in to a queue
room) and ``leave:queue`` lets a client narrow what it receives.

Tokens are checked on connect, again on every ``join:*`` (a stale or expired token gets an ``error`` with code
``unauthorized`` and the socket is dropped; the re-check also refreshes the user's role and queues) and, for
revocation, at once on ``UserSessionsRevoked`` (logout-all, user deleted, new password), which drops the user's sockets
on every process. ``UserAccessChanged`` (role or queues edited) regroups them on every process the same way: each
socket re-reads its user and leaves the role, queue and ticket rooms it may no longer be in. There is no periodic
sweep: a socket keeps receiving past its token's expiry until it joins something or its user's sessions are revoked,
like an HTTP keep-alive outliving the token that opened it. A user holds at most ``max_sockets_per_user`` sockets per
server process (``MAX_SOCKETS_PER_USER``); one more is refused with ``too_many_connections``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import socketio
from litestar import Litestar

from whaticket_core.domain.errors import DomainError
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer, can_see

from .gateway_ports import AgentCameOnline, Authenticate, PresenceTracker, SocketUser, TicketPlacementLookup
from .payloads import ConnectedEvent, ErrorCode, ErrorEvent, JoinAck, payload
from .presence_reporter import PresenceReporter
from .publisher import NAMESPACE, SocketIoEventPublisher
from .rooms import NO_QUEUE_ROOM, STAFF_ROOM, base_rooms, parse_id, queue_room, ticket_room
from .routing import CLOSE_ROOM, DISCONNECT_ROOM, PRUNE_TICKET_ROOM, REGROUP_ROOM, placement_from_data
from .sockets import DEFAULT_CHANNEL, SocketServer

log = logging.getLogger("whaticket.realtime")

UNAUTHORIZED: Final = "unauthorized"
TOO_MANY_SOCKETS = "too_many_connections"
DEFAULT_MAX_SOCKETS_PER_USER = 20


@dataclass(slots=True)
class _Socket:
    token: str
    viewer: Viewer


class TokenRejected(Exception):
    def __init__(self, reason: ErrorCode) -> None:
        super().__init__(reason)
        self.reason = reason


def _viewer(user: SocketUser) -> Viewer:
    return Viewer(int(user.user_id), Role(user.role), frozenset(int(q) for q in user.queue_ids))


def _ack(value: ErrorEvent | JoinAck) -> dict[str, Any]:
    """A join/leave acknowledgement as the JSON object Socket.IO sends back."""
    data: dict[str, Any] = msgspec.to_builtins(value)
    return data


class RealtimeGateway:
    """The Socket.IO handlers: connection auth, rooms, joins, control deliveries, on ``sockets`` (a new
    :class:`SocketServer` from ``redis_url``, ``channel``, ``cors_allowed_origins`` when not given).

    ``authenticate`` and ``ticket_placement`` are injected so the gateway depends on no use case class; so are
    ``presence`` (resolved at startup: sockets are counted there, so agents' presence is known to every process)
    and ``on_agent_online``.
    """

    def __init__(
        self,
        *,
        authenticate: Authenticate,
        ticket_placement: TicketPlacementLookup,
        redis_url: str | None = None,
        channel: str = DEFAULT_CHANNEL,
        cors_allowed_origins: str | Sequence[str] | None = None,
        socketio_path: str = "socket.io",
        publish_timeout: float = 5.0,
        max_sockets_per_user: int = DEFAULT_MAX_SOCKETS_PER_USER,
        sockets: SocketServer | None = None,
        presence: Callable[[], Awaitable[PresenceTracker]] | None = None,
        on_agent_online: AgentCameOnline | None = None,
    ) -> None:
        self._authenticate = authenticate
        self._presence = PresenceReporter(presence, on_agent_online)
        self._ticket_placement = ticket_placement
        self._socketio_path = socketio_path
        self._max_sockets_per_user = max_sockets_per_user
        self.sockets = sockets or SocketServer(
            redis_url=redis_url,
            channel=channel,
            cors_allowed_origins=cors_allowed_origins,
            publish_timeout=publish_timeout,
        )
        self.manager = self.sockets.manager
        self.server = self.sockets.server
        self.manager.control = self._on_control
        self._sockets: dict[str, _Socket] = {}
        # Sockets held per user id, kept beside _sockets: counting them on every connect walked all sockets (a
        # thousand connects, half a million steps).
        self._held: Counter[int] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._register_handlers()

    # ---- wiring ---------------------------------------------------------------------------------------------------

    def asgi_app(self, app: Litestar) -> socketio.ASGIApp:
        """Socket.IO at ``/socket.io/`` on the same port; everything else goes to ``app``, whose lifespan (with the
        gateway's startup and shutdown added) still runs."""
        app.on_startup.append(self.startup)
        app.on_shutdown.append(self.shutdown)
        return socketio.ASGIApp(self.server, other_asgi_app=app, socketio_path=self._socketio_path)

    def publisher(self) -> SocketIoEventPublisher:
        """The EventPublisher for use cases running in this server process."""
        return self.sockets.publisher()

    async def startup(self) -> None:
        # python-socketio starts the Redis listener on the first connection; start it now, so a process with no
        # socket yet is already subscribed when its first client connects.
        if not self.server.manager_initialized:
            self.server.manager_initialized = True
            self.manager.initialize()
        await self._presence.start()

    async def shutdown(self) -> None:
        self._presence.stop()
        try:
            await self.server.shutdown()
        except Exception:
            log.exception("socket.io shutdown failed")
        listener = getattr(self.manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
        redis = getattr(self.manager, "redis", None)
        if redis is not None:
            try:
                await redis.aclose()
            except Exception:
                log.debug("closing the socket.io redis client failed", exc_info=True)

    @property
    def local_socket_count(self) -> int:
        return len(self._sockets)

    # ---- handlers -------------------------------------------------------------------------------------------------

    def _register_handlers(self) -> None:
        self.server.on("connect", self._on_connect)
        self.server.on("disconnect", self._on_disconnect)
        self.server.on("join:ticket", self._on_join_ticket)
        self.server.on("join:queue", self._on_join_queue)
        self.server.on("leave:ticket", self._on_leave_ticket)
        self.server.on("leave:queue", self._on_leave_queue)

    async def _check(self, token: object) -> Viewer:
        if not isinstance(token, str) or not token:
            raise TokenRejected(UNAUTHORIZED)
        try:
            return _viewer(await self._authenticate(token))
        except DomainError:
            raise TokenRejected(UNAUTHORIZED) from None
        except Exception:
            log.exception("socket authentication failed")
            # Not the client's fault (database down...): a distinct reason, so clients retry instead of logging out.
            raise TokenRejected("unavailable") from None

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            viewer = await self._check(token)
        except TokenRejected as rejected:
            raise socketio.exceptions.ConnectionRefusedError(rejected.reason) from None
        assert isinstance(token, str)
        if self._held[viewer.user_id] >= self._max_sockets_per_user:
            # A bound on what one (possibly stolen) token can hold open in this process; each socket costs memory
            # and a copy of every event.
            raise socketio.exceptions.ConnectionRefusedError(TOO_MANY_SOCKETS)
        self._sockets[sid] = _Socket(token, viewer)
        self._held[viewer.user_id] += 1
        for room in base_rooms(viewer):
            await self.server.enter_room(sid, room)
        self._spawn(self._greet(sid, viewer.user_id))
        self._spawn(self._presence.connected(viewer.user_id))

    async def _greet(self, sid: str, user_id: int) -> None:
        # Events emitted inside the connect handler would reach the client before its CONNECT packet, so
        # ``connected`` waits until python-socketio has completed the connection.
        for _ in range(500):  # up to 5 s on a loaded machine; in practice the first or second turn
            if self.manager.is_connected(sid, NAMESPACE):
                data = payload("connected", ConnectedEvent(user_id))
                await self.server.emit("connected", data, to=sid, ignore_queue=True)
                return
            if sid not in self._sockets:
                return
            await asyncio.sleep(0.01)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_disconnect(self, sid: str, reason: object = None) -> None:
        state = self._sockets.pop(sid, None)
        if state is not None:
            self._held[state.viewer.user_id] -= 1
            if self._held[state.viewer.user_id] <= 0:
                del self._held[state.viewer.user_id]
            self._spawn(self._presence.disconnected(state.viewer.user_id))

    async def _error(self, sid: str, code: ErrorCode, event: str, raw_id: object) -> dict[str, Any]:
        data = payload("error", ErrorEvent(code, event, raw_id))
        await self.server.emit("error", data, to=sid, ignore_queue=True)
        return data

    async def _recheck(self, sid: str, event: str, raw_id: object) -> Viewer | None:
        """The socket's user, with the token checked again; None (socket dropped) when it is no longer valid."""
        state = self._sockets.get(sid)
        if state is None:
            return None
        try:
            viewer = await self._check(state.token)
        except TokenRejected as rejected:
            await self._error(sid, rejected.reason, event, raw_id)
            if rejected.reason == UNAUTHORIZED:
                await self.server.disconnect(sid)
            return None
        if viewer != state.viewer:
            await self._regroup(sid, state.viewer, viewer)
            state.viewer = viewer
        return viewer

    async def _regroup(self, sid: str, old: Viewer, new: Viewer) -> None:
        """Role or queues changed since the socket connected: leave the rooms it no longer belongs in, enter the
        role rooms it gained. Queue rooms are not re-added (the client may have left them on purpose)."""
        allowed = set(base_rooms(new))
        for room in self.server.rooms(sid):
            if room in base_rooms(old) and room not in allowed:
                await self.server.leave_room(sid, room)
        for room in base_rooms(new):
            if room in (STAFF_ROOM, NO_QUEUE_ROOM) and room not in base_rooms(old):
                await self.server.enter_room(sid, room)
        if not new.is_staff:
            for room in self.server.rooms(sid):
                if room.startswith("queue:") and room not in allowed:
                    await self.server.leave_room(sid, room)

    async def _on_join_ticket(self, sid: str, raw_id: object = None) -> dict[str, Any]:
        return await self._join(sid, "join:ticket", raw_id, self._may_see_ticket, ticket_room)

    async def _on_join_queue(self, sid: str, raw_id: object = None) -> dict[str, Any]:
        return await self._join(sid, "join:queue", raw_id, self._may_join_queue, queue_room)

    async def _may_see_ticket(self, viewer: Viewer, ticket_id: int) -> bool:
        placement = await self._ticket_placement(ticket_id)
        return placement is not None and can_see(viewer, placement)

    async def _may_join_queue(self, viewer: Viewer, queue_id: int) -> bool:
        return viewer.is_staff or queue_id in viewer.queue_ids

    async def _join(
        self,
        sid: str,
        event: str,
        raw_id: object,
        allowed: Callable[[Viewer, int], Awaitable[bool]],
        room_of: Callable[[int], str],
    ) -> dict[str, Any]:
        target = parse_id(raw_id)
        if target is None:
            return await self._error(sid, "validation_error", event, raw_id)
        viewer = await self._recheck(sid, event, raw_id)
        if viewer is None:
            return _ack(ErrorEvent(UNAUTHORIZED, event, raw_id))
        try:
            ok = await allowed(viewer, target)
        except Exception:
            log.exception("%s %s: authorization lookup failed", event, target)
            return await self._error(sid, "unavailable", event, raw_id)
        if not ok:
            return await self._error(sid, "forbidden", event, raw_id)
        await self.server.enter_room(sid, room_of(target))
        return _ack(JoinAck(True, event, target))

    async def _on_leave_ticket(self, sid: str, raw_id: object = None) -> dict[str, Any]:
        return await self._leave(sid, "leave:ticket", raw_id, ticket_room)

    async def _on_leave_queue(self, sid: str, raw_id: object = None) -> dict[str, Any]:
        return await self._leave(sid, "leave:queue", raw_id, queue_room)

    async def _leave(self, sid: str, event: str, raw_id: object, room_of: Callable[[int], str]) -> dict[str, Any]:
        target = parse_id(raw_id)
        if target is None:
            return await self._error(sid, "validation_error", event, raw_id)
        await self.server.leave_room(sid, room_of(target))
        return _ack(JoinAck(True, event, target))

    # ---- control deliveries (run on every server process for its own sockets) -------------------------------------

    def _local_members(self, room: str) -> list[str]:
        return [sid for sid, _ in self.manager.get_participants(NAMESPACE, room)]

    async def _on_control(self, event: str, data: dict[str, Any], rooms: list[str]) -> None:
        for room in rooms:
            members = self._local_members(room)
            if event == DISCONNECT_ROOM:
                for sid in members:
                    await self.server.disconnect(sid, ignore_queue=True)
            elif event == PRUNE_TICKET_ROOM:
                placement = placement_from_data(data)
                for sid in members:
                    state = self._sockets.get(sid)
                    if state is None or not can_see(state.viewer, placement):
                        await self.server.leave_room(sid, room)
            elif event == CLOSE_ROOM:
                for sid in members:
                    await self.server.leave_room(sid, room)
            elif event == REGROUP_ROOM:
                for sid in members:
                    await self._regroup_now(sid)

    async def _regroup_now(self, sid: str) -> None:
        """The user's role or queues changed: read them again (dropping the socket if its token no longer holds),
        leave the role and queue rooms the user lost, and every ticket room of a ticket they may no longer see."""
        state = self._sockets.get(sid)
        old = state.viewer if state is not None else None
        viewer = await self._recheck(sid, "access:changed", None)
        if viewer is None:
            return
        if old is not None and not viewer.is_staff:  # queues the user just gained are joined, as on connect
            for queue_id in sorted(viewer.queue_ids - (set() if old.is_staff else old.queue_ids)):
                await self.server.enter_room(sid, queue_room(queue_id))
        for room in list(self.server.rooms(sid)):
            if not room.startswith("ticket:"):
                continue
            ticket_id = parse_id(room.removeprefix("ticket:"))
            try:
                visible = ticket_id is not None and await self._may_see_ticket(viewer, ticket_id)
            except Exception:
                log.exception("regroup of %s: ticket lookup failed; leaving %s", sid, room)
                visible = False
            if not visible:
                await self.server.leave_room(sid, room)
