"""A correct ``Allow`` header on automatic OPTIONS answers.

Litestar 2.25 builds a path's OPTIONS handler when the path's first handler is registered and never updates it, so
``OPTIONS /users`` answered ``Allow: GET, OPTIONS`` although ``POST /users`` exists. The wrapper rewrites the
header from the final route table.
"""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def _methods_by_path(app: Litestar) -> list[tuple[re.Pattern[str], str]]:
    table = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            parts = re.split(r"\{[^}]+\}", route.path_format)
            pattern = "[^/]+".join(re.escape(part) for part in parts)
            table.append((len(parts), re.compile(f"^{pattern}/?$"), ", ".join(sorted(route.methods))))
    # Literal paths first, as the router matches them: /messages/send before /messages/{message_id}.
    table.sort(key=lambda row: row[0])
    return [(pattern, methods) for _, pattern, methods in table]


def with_correct_allow(asgi: ASGIApp, app: Litestar) -> ASGIApp:
    table: list[tuple[re.Pattern[str], str]] | None = None

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal table
        if scope["type"] != ScopeType.HTTP or scope["method"] != "OPTIONS":
            await asgi(scope, receive, send)
            return
        if table is None:
            table = _methods_by_path(app)
        allow = next((methods for pattern, methods in table if pattern.match(scope["path"])), None)

        async def send_fixed(message: Message) -> None:
            if message["type"] == "http.response.start" and allow is not None:
                headers = MutableScopeHeaders.from_message(message)
                if "allow" in headers:
                    headers["Allow"] = allow
            await send(message)

        await asgi(scope, receive, send_fixed)

    return wrapped
