"""One log line and one metrics sample per HTTP request, and ``X-Request-ID`` in and out.

The caller's ``X-Request-ID`` is kept when it is at most 128 safe characters (letters, digits, ``-._:``); otherwise
a new one is made. It is bound to every log record written while the request is served, answered in the response
header, and the request's line names the method, route template, status, duration and, once the bearer token was
checked, the user id. Probes (``/health``, ``/metrics``) are logged at DEBUG only.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterable
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .logs import RequestContext, bind_request, unbind_request
from .metrics import observe_request

log = logging.getLogger("whaticket.http")
HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
QUIET_PREFIXES = ("/health", "/metrics")


def request_id_from(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
            break
    return os.urandom(16).hex()  # as unique as a uuid4's hex, at a third of the cost


def route_of(scope: Scope) -> str:
    """The route template Litestar matched (``/api/v1/tickets/{ticket_id:int}``), so ids never explode the metric's
    labels; ``unmatched`` for a 404 on an unknown path."""
    template = scope.get("path_template")
    return str(template) if template else "unmatched"


def with_request_log(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        context = RequestContext(request_id_from(scope.get("headers", [])))
        request_id = context.request_id.encode("latin-1")
        token = bind_request(context)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                # Appended as is: nothing inside sets this header (scanning the list for it cost a few µs).
                message["headers"] = [*(message.get("headers") or ()), (b"x-request-id", request_id)]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(scope)
            method = str(scope.get("method", "GET"))
            observe_request(method, route, status, elapsed)
            path: str = scope.get("path", "")
            level = logging.DEBUG if path.startswith(QUIET_PREFIXES) else logging.INFO
            if log.isEnabledFor(level):
                fields: dict[str, Any] = {
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                }
                log.log(level, "%s %s %s %.1fms", method, path, status, elapsed * 1000, extra=fields)
            unbind_request(token)

    return wrapped
