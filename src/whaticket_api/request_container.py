"""The request's dishka container, set up for every HTTP request and let go as soon as the request is served.

dishka's Litestar integration keeps the request's container in the scope's state, and the container keeps the
request in its context: a reference cycle for every request. Reference counting cannot free a cycle, so each
request's container, request, headers and everything the container had resolved lived on until the garbage
collector's next pass. Under load that meant a young-generation collection every ~20 requests, walking the objects
of every request in flight (measured: 40-100 µs of collector time per request, against ~2 µs for the same endpoint
without the cycle). Dropping the scope's reference once the request is answered breaks the cycle, so all of it is
freed at once.
"""

from __future__ import annotations

from dishka import AsyncContainer
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar
from litestar.types import ASGIApp, Receive, Scope, Send

CONTAINER_KEY = "dishka_container"
"""Where dishka's middleware puts the request's container in the scope's state (``request.state``)."""


def _forgetting_request_container(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        finally:
            state = scope.get("state")
            if state:
                state.pop(CONTAINER_KEY, None)

    return wrapped


def setup_request_container(container: AsyncContainer, app: Litestar) -> None:
    """dishka for ``app``: each HTTP request gets its REQUEST-scope container (closed when the request ends), and
    nothing of it outlives the request."""
    setup_dishka(container, app)
    app.asgi_handler = _forgetting_request_container(app.asgi_handler)
