"""One table from errors to HTTP, and the contract's single error shape for every failure.

``{"statusCode": 409, "error": "Conflict", "code": "ticket_already_open", "message": "...", "details": {...}}``
Domain errors map by kind; framework errors (validation, unknown route, wrong method, body too large, rate limit)
get stable codes; anything unexpected is a bare 500 whose cause is logged, never sent.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from whaticket_core.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from whaticket_core.ports.transport import TransportError
from whaticket_core.ports.unit_of_work import StoreConflict

from .outages import RETRY_AFTER_SECONDS, outage_of

log = logging.getLogger("whaticket.api")

# Ordered: the first kind an error is an instance of decides its status.
DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthorized, 401),
    (InvalidInput, 400),
)

# Codes of framework errors, by status.
HTTP_CODES: dict[int, str] = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


class ErrorBody(msgspec.Struct, rename="camel", omit_defaults=True):
    """The shape of every error answer."""

    status_code: int
    error: str
    code: str
    message: str
    details: dict[str, Any] | None = None


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(status, HTTPStatus(status).phrase, code, message, details or None),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def status_of(exc: DomainError) -> int:
    for kind, status in DOMAIN_STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    status = status_of(exc)
    # RFC 6750: a 401 names the scheme the client should use.
    headers = {"WWW-Authenticate": 'Bearer realm="whaticket"'} if status == 401 else None
    return error_response(status, exc.code, exc.message, wire_details(exc.details), headers=headers)


def wire_details(details: dict[str, Any]) -> dict[str, Any]:
    """The core names details and fields in snake_case; the wire in camelCase (``ticket_id`` -> ``ticketId``)."""
    out = {_camel(key): value for key, value in details.items()}
    if isinstance(out.get("fields"), list):
        out["fields"] = [_camel(field) if isinstance(field, str) else field for field in out["fields"]]
    return out


_AT_PATH = re.compile(r"at `\$\.?([A-Za-z0-9_\.\[\]]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_MISSING_PARAM = re.compile(r"Missing required \w+ parameter '([^']+)'")


def _camel(name: str) -> str:
    """Litestar names parameters by their Python name; clients know the camelCase one."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def field_of(message: str) -> str | None:
    """The top-level field a msgspec message names: ``... - at `$.contactId``` or ``missing required field `x```."""
    if m := _AT_PATH.search(message):
        top = m.group(1).split(".")[0].split("[")[0]
        if top:
            return top
    if m := _MISSING.search(message) or _MISSING_PARAM.search(message):
        return m.group(1)
    return None


def _validation_fields(exc: ValidationException) -> list[str]:
    """Field names from Litestar's ``extra`` (``[{"key": ..., "message": ...}]``); msgspec body errors carry the
    field in the message instead (``... - at `$.contactId```)."""
    fields: list[str] = []
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = item.get("key")
        message = str(item.get("message", ""))
        if key and key != "data":
            fields.append(_camel(str(key)))
        elif name := field_of(message):
            fields.append(name)
        elif key:
            fields.append("body")
    if not fields and (name := field_of(str(exc.detail))):
        fields.append(name)
    return list(dict.fromkeys(fields)) or ["body"]


def _validation_message(exc: ValidationException, fields: list[str]) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    messages = [str(i.get("message")) for i in extra if isinstance(i, dict) and i.get("message")]
    if messages:
        return "; ".join(messages)[:500]
    return f"Invalid value for {', '.join(fields)}"


class UnknownQueryParameters(ValidationException):
    """Query parameters the route does not declare, named exactly as the client sent them (never camelized)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"Unknown query parameter(s): {', '.join(names)}")
        self.names = names


def _http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    if isinstance(exc, UnknownQueryParameters):
        return error_response(400, "validation_error", str(exc.detail), {"fields": exc.names})
    status = exc.status_code
    if status >= 500:
        log.error("server error: %s", exc.detail)
        return error_response(status, HTTP_CODES.get(status, "internal_error"), HTTPStatus(status).phrase)
    # Multipart parsing reports an oversized part as a 400 (a Litestar 2 quirk); it is a 413.
    if status == 400 and exc.detail == "Request Entity Too Large":
        status = 413
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() in ("retry-after", "allow")}
    if isinstance(exc, ValidationException) or (status == 400 and not exc.extra):
        if isinstance(exc, ValidationException):
            fields = _validation_fields(exc)
            return error_response(400, "validation_error", _validation_message(exc, fields), {"fields": fields})
        match = _MISSING_PARAM.search(str(exc.detail))
        field = match.group(1) if match else "body"
        return error_response(400, "validation_error", str(exc.detail), {"fields": [field]})
    code = HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_"))
    message = {
        404: "Resource not found",
        405: "Method not allowed",
        413: "Request body too large",
    }.get(status, str(exc.detail))
    if status == 429:
        headers.setdefault("Retry-After", "60")
        message = "Too many requests, retry later"
    return error_response(status, code, message, headers=headers or None)


def _store_conflict(_: Request[Any, Any, Any], exc: StoreConflict) -> Response[ErrorBody]:
    # A uniqueness rule the use case did not translate; still a conflict, never a 500.
    return error_response(
        409, "conflict", "The change conflicts with existing data", {"constraint": exc.constraint.value}
    )


def _transport_error(_: Request[Any, Any, Any], exc: TransportError) -> Response[ErrorBody]:
    return error_response(409, "whatsapp_unavailable", f"WhatsApp refused the request: {exc.reason}")


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    dependency = outage_of(exc)
    if dependency is not None:
        # An outage, not a bug: one line (no traceback) and a 503 the client may retry.
        log.warning("%s unavailable on %s %s: %s", dependency, request.method, request.url.path, _one_line(exc))
        return error_response(
            503,
            "service_unavailable",
            f"The {dependency} is unavailable, retry later",
            {"dependency": dependency},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Internal server error")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


# Outages of the database (SQLAlchemy, asyncpg, an exhausted pool) and of Redis reach ``_internal_error`` and answer
# 503 service_unavailable with Retry-After (``outages.outage_of`` decides which errors those are).
EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain_error,
    HTTPException: _http_exception,
    StoreConflict: _store_conflict,
    TransportError: _transport_error,
    Exception: _internal_error,
}
