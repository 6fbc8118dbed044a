"""One logging configuration for the app, uvicorn, Litestar, SAQ and neonize.

Production writes one JSON object per line (``time``, ``level``, ``logger``, ``message``, ``pid``, the request's
``request_id``/``user_id`` when there is one, and any ``extra`` fields); development writes readable lines. Every
record passes a redaction filter first, so a bearer token, a JWT, a password in a URL or a configured secret never
reaches a log line, whoever wrote the record.
"""

from __future__ import annotations

import contextvars
import logging
import logging.config
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(context)s"
JSON_FIELDS = "{levelname}{name}{message}{process}"


@dataclass
class RequestContext:
    """What the log lines of one request share; mutable so the handler can add the caller once it is known."""

    request_id: str
    user_id: int | None = None
    # The API token that made the request, when one did: what an integration does is attributed to its token.
    api_token_id: int | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("whaticket_request", default=None)


def bind_request(context: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(context)


def unbind_request(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)


def current_request() -> RequestContext | None:
    return _current.get()


def note_user(user_id: int) -> None:
    """Called once the bearer token is checked: the request's log line names its user."""
    context = _current.get()
    if context is not None:
        context.user_id = user_id


def note_api_token(token_id: int) -> None:
    context = _current.get()
    if context is not None:
        context.api_token_id = token_id


class ContextFilter(logging.Filter):
    """Adds the current request's ids to every record logged while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if context is not None:
            record.request_id = getattr(record, "request_id", context.request_id)
            if context.user_id is not None:
                record.user_id = getattr(record, "user_id", context.user_id)
            if context.api_token_id is not None:
                record.api_token_id = getattr(record, "api_token_id", context.api_token_id)
        keys = ("request_id", "user_id", "api_token_id")
        ids = [f"{k}={getattr(record, k)}" for k in keys if getattr(record, k, None) is not None]
        record.context = f" [{' '.join(ids)}]" if ids else ""
        return True


_PATTERNS = (
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (re.compile(r"\bwt_[A-Za-z0-9_-]{8,}"), "[redacted-api-token]"),
    (re.compile(r"(://[^:/@\s]+):[^@/\s]+@"), r"\1:[redacted]@"),
    (
        re.compile(r"(?i)\b((?:access|refresh)?_?token|password|secret)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",&}]+"),
        r"\1\2[redacted]",
    ),
)


class RedactFilter(logging.Filter):
    """Removes credentials from the finished message (and from a formatted traceback's text)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            # Formatted once here and redacted; both formatters then print the text instead of the live exception.
            record.exc_text = self.redact(record.exc_text or logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _json_formatter() -> logging.Formatter:
    return JsonFormatter(
        JSON_FIELDS,
        style="{",
        # ``pid`` tells apart the lines of `serve --workers N`'s processes, which share one output.
        rename_fields={"levelname": "level", "name": "logger", "process": "pid"},
        timestamp="time",  # ISO 8601 in UTC
        reserved_attrs=[*_RESERVED, "context"],
    )


# LogRecord attributes that are not "extra" fields (python-json-logger adds every other attribute to the object).
_RESERVED = [
    "args", "created", "exc_info", "exc_text", "filename", "funcName", "levelno", "lineno", "module", "msecs", "msg",
    "pathname", "process", "processName", "relativeCreated", "stack_info", "thread", "threadName", "taskName",
    "color_message",
]  # fmt: skip


def configure_logging(level: str = "info", *, json_lines: bool = False, secrets: Iterable[str] = ()) -> None:
    """Install the one configuration. Call it before neonize is imported (its import configures logging itself)."""
    numeric = logging.getLevelName(level.upper())
    formatter: dict[str, Any] = (
        {"()": _json_formatter} if json_lines else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    )
    library_level = "DEBUG" if numeric <= logging.DEBUG else "WARNING"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "context": {"()": ContextFilter},
                "redact": {"()": RedactFilter, "secrets": list(secrets)},
                # Outages are reported once by the dependency watch, not as a traceback per retry.
                "outages": {"()": "whaticket_api.startup.OutageLogFilter"},
            },
            "formatters": {"main": formatter},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "main",
                    "filters": ["outages", "redact", "context"],
                }
            },
            "root": {"level": numeric, "handlers": ["stderr"]},
            "loggers": {
                # Every library logs through the root handler, in the same format.
                "uvicorn": {"handlers": [], "propagate": True, "level": numeric},
                "uvicorn.error": {"handlers": [], "propagate": True, "level": numeric},
                # Each request is logged once by the request log, with its id; uvicorn's own line would repeat it.
                "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
                "litestar": {"handlers": [], "propagate": True, "level": numeric},
                # SAQ writes two INFO lines per job; job failures are logged by whaticket.jobs with their ids.
                "saq": {"handlers": [], "propagate": True, "level": library_level},
                "neonize": {"handlers": [], "propagate": True, "level": library_level},
                "whatsmeow": {"handlers": [], "propagate": True, "level": library_level},
                "Whatsmeow": {"handlers": [], "propagate": True, "level": library_level},
                # A level set here also stops python-socketio adding a handler of its own (it does on NOTSET).
                "engineio": {"handlers": [], "propagate": True, "level": "WARNING"},
                "engineio.server": {"handlers": [], "propagate": True, "level": "WARNING"},
                "socketio": {"handlers": [], "propagate": True, "level": "WARNING"},
                "socketio.server": {"handlers": [], "propagate": True, "level": "WARNING"},
                "httpx": {"handlers": [], "propagate": True, "level": "WARNING"},
            },
        }
    )
