"""The served ASGI application: the HTTP API with the Socket.IO gateway on the same port, and the embedded runtime."""

from __future__ import annotations

import logging

from dishka import AsyncContainer
from litestar import Litestar
from litestar.types import ASGIApp

from whaticket_core.domain.ticket import TicketPlacement
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports import SessionController, TicketPlacements, UnitOfWork
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand

from .app import create_app
from .container import make_container
from .heap import freeze_startup_heap
from .protection import with_security_headers
from .realtime import RealtimeGateway, SocketServer
from .realtime.gateway_ports import PresenceTracker
from .runtime import start_in_process_jobs
from .settings import Settings
from .startup import DependencyWatch, serve_watch

log = logging.getLogger("whaticket.server")


class ContainerSocketAccess:
    """What the Socket.IO gateway asks of the application, answered from the container."""

    def __init__(self, container: AsyncContainer) -> None:
        self._container = container

    async def authenticate(self, token: str) -> Viewer:
        async with self._container() as request:
            use_case = await request.get(Authenticate)
            return (await use_case.execute(AuthenticateCommand(token))).viewer

    async def agent_online(self, user_id: int) -> None:
        """Auto-assignment hands the backlog of the agent's queues out, oldest first."""
        async with self._container() as request:
            use_case = await request.get(AssignPendingTickets)
            await use_case.execute(AssignPendingTicketsCommand(user_id=user_id))

    async def ticket_placement(self, ticket_id: int) -> TicketPlacement | None:
        async with self._container() as request:
            placements: TicketPlacements = await request.get(TicketPlacements)
            return await placements.placement_of(ticket_id)


def build_server(settings: Settings, *, freeze_heap: bool = False) -> ASGIApp:
    """The ASGI app ``whaticket serve`` runs: Socket.IO at ``/socket.io/``, everything else to Litestar.

    The socket server comes first (the container's publisher emits through it), then the container, then the
    gateway's handlers, which answer from the container. ``freeze_heap`` (what ``serve`` asks): once started, the
    start-up heap is frozen out of the garbage collector's walks (see :mod:`.heap`); tests that build many servers in
    one process leave it off."""
    origins = [o.strip().rstrip("/") for o in (settings.frontend_url or "").split(",") if o.strip()]
    sockets = SocketServer(
        redis_url=settings.redis_url, channel=f"{settings.redis_namespace}:socketio", cors_allowed_origins=origins
    )
    container = make_container(settings, publisher=sockets.publisher(), http=True)
    access = ContainerSocketAccess(container)
    gateway = RealtimeGateway(
        authenticate=access.authenticate,
        ticket_placement=access.ticket_placement,
        sockets=sockets,
        max_sockets_per_user=settings.max_sockets_per_user,
        presence=lambda: container.get(PresenceTracker),
        on_agent_online=access.agent_online,
    )
    app = create_app(settings, container=container, security_headers=False)
    app.state.socket_count = lambda: gateway.local_socket_count

    async def start_runtime(_: Litestar) -> None:
        await start_in_process_jobs(container)
        if settings.embedded:  # in production the workers' SessionOwner starts sessions
            await resume_sessions(container)

    app.on_startup.append(start_runtime)
    watch_ref: list[DependencyWatch] = []

    async def start_watch(_: Litestar) -> None:
        watch_ref.append(await serve_watch(container))
        watch_ref[0].start()

    async def stop_watch(_: Litestar) -> None:
        for watch in watch_ref:
            await watch.stop()

    app.on_startup.append(start_watch)
    app.on_shutdown.insert(0, stop_watch)

    def freeze(_: Litestar) -> None:
        freeze_startup_heap()

    if freeze_heap:
        app.on_startup.append(freeze)  # last: everything start-up builds is in the frozen heap
    # Socket.IO answers bypass Litestar: the headers are set around the whole ASGI app, once for every answer.
    return with_security_headers(gateway.asgi_app(app), hsts=not settings.is_development)


async def resume_sessions(container: AsyncContainer) -> None:
    """Sessions that were linked before a restart start again (the session store keeps the device keys)."""
    async with container() as request:
        uow = await request.get(UnitOfWork)
        async with uow:
            whatsapps = await uow.whatsapps.list_all()
    sessions = await container.get(SessionController)
    for whatsapp in whatsapps:
        if not whatsapp.status.wants_session:
            continue
        try:
            await sessions.start_session(whatsapp.id)
        except Exception:
            log.exception("could not resume the session of connection %s", whatsapp.id)
