"""The Socket.IO server and its client manager (in-process, or across processes through Redis), and the publishers
that emit through them."""

from __future__ import annotations

from collections.abc import Sequence

import socketio

from .managers import LocalClientManager, RedisClientManager, make_client_manager, make_write_only_manager
from .publisher import SocketIoEventPublisher

DEFAULT_CHANNEL = "whaticket-socketio"


class SocketServer:
    """The ``socketio.AsyncServer`` and its client manager, before any handler: what publishes events.

    With ``redis_url`` the server uses python-socketio's Redis manager on ``channel`` (every process of one deployment
    must use the same channel); without it, fan-out stays in-process.
    """

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        channel: str = DEFAULT_CHANNEL,
        cors_allowed_origins: str | Sequence[str] | None = None,
        publish_timeout: float = 5.0,
    ) -> None:
        self.publish_timeout = publish_timeout
        self.manager: LocalClientManager | RedisClientManager = make_client_manager(redis_url, channel)
        # engine.io reads None as "same origin only" and [] as "no origin check". No configured origin means no check:
        # the token travels in the handshake's auth payload, never in a cookie, so a foreign page gains nothing.
        origins: str | list[str] = (
            cors_allowed_origins if isinstance(cors_allowed_origins, str) else list(cors_allowed_origins or [])
        )
        self.server = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=origins,
            # Handlers of one socket run in order (join then leave stays join then leave).
            async_handlers=False,
        )

    def publisher(self) -> SocketIoEventPublisher:
        """The EventPublisher for use cases running in this server process."""
        return SocketIoEventPublisher(self.server, timeout=self.publish_timeout)


def write_only_publisher(
    redis_url: str, *, channel: str = DEFAULT_CHANNEL, timeout: float = 5.0
) -> SocketIoEventPublisher:
    """The EventPublisher for processes without sockets (the SAQ worker): emits through Redis to every server
    process of the deployment (same ``channel``)."""
    return SocketIoEventPublisher(make_write_only_manager(redis_url, channel), timeout=timeout)
