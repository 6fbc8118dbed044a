"""``whaticket serve``: logging, migrations (embedded default), start-up checks, then uvicorn on PORT, in one process
or in ``--workers`` / ``WEB_CONCURRENCY`` processes sharing the listening socket (uvicorn's supervisor starts them,
restarts one that dies and stops them all on SIGINT/SIGTERM)."""

from __future__ import annotations

import asyncio
import logging
import os

import uvicorn
from litestar.types import ASGIApp

from whaticket_adapters.sql.database import upgrade
from whaticket_adapters.sql.engine import SQLITE_FILE

from .observability.logs import configure_logging
from .server import build_server
from .settings import ConfigError, Settings
from .startup import StartupError, check_dependencies, database_url_of, describe_database_error, secrets_of

log = logging.getLogger("whaticket.serve")


def database_url(settings: Settings) -> str:
    return database_url_of(settings)


def prepare(settings: Settings) -> None:
    """The embedded default creates DATA_DIR and its SQLite database and brings it to the latest schema.

    The folder is 0700 and the database file 0600 (created so before SQLite opens it; SQLite gives its -wal and -shm
    files the database file's permissions): it holds password hashes, messages and WhatsApp session keys."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise StartupError(f"cannot create DATA_DIR {settings.data_dir} ({error.strerror}): fix DATA_DIR") from None
    if settings.embedded:
        database = settings.data_dir / SQLITE_FILE
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
            if path.exists():
                os.chmod(path, 0o600)
        try:
            asyncio.run(upgrade(database_url(settings)))
        except Exception as error:
            raise StartupError(describe_database_error(database_url(settings), error).line()) from None


def worker_count(settings: Settings, requested: int | None = None) -> int:
    """How many server processes: ``--workers``, else WEB_CONCURRENCY, else one. One by default because a
    Socket.IO client that starts with long-polling (socket.io-client's default) needs every request of its session
    to reach the process that holds it, which several processes on one port cannot promise; an operator whose
    clients connect over WebSocket only (or who balances stickily) asks for more. More than one needs PostgreSQL
    (the embedded default keeps jobs and
    WhatsApp sessions in its one process, and SQLite takes one writer) and Redis (Socket.IO events reach sockets held
    by the other processes through it); :class:`ConfigError` says so."""
    count = requested or settings.web_concurrency or 1
    if count > 1 and settings.on_sqlite:
        raise ConfigError(
            f"--workers/WEB_CONCURRENCY {count} needs DATABASE_URL on PostgreSQL and REDIS_URL: the embedded default "
            "(SQLite) runs its jobs and WhatsApp sessions in one process; use 1"
        )
    if count > 1 and settings.redis_url is None:
        raise ConfigError(
            f"--workers/WEB_CONCURRENCY {count} needs REDIS_URL: Socket.IO events reach the sockets of the other "
            "processes through Redis; set REDIS_URL or use 1"
        )
    return count


def served_app() -> ASGIApp:
    """Each process of ``serve --workers N`` builds its own app from the environment the supervisor passed on."""
    settings = Settings.from_env(dotenv=False)
    configure_logging(settings.log_level, json_lines=settings.json_logs, secrets=secrets_of(settings))
    return build_server(settings, freeze_heap=True)


def run(settings: Settings, *, host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    """Raises :class:`StartupError` (one line) when a dependency is missing after STARTUP_WAIT_SECONDS, and
    :class:`ConfigError` when the process count cannot work with this configuration."""
    configure_logging(settings.log_level, json_lines=settings.json_logs, secrets=secrets_of(settings))
    processes = worker_count(settings, workers)
    prepare(settings)
    asyncio.run(check_dependencies(settings))
    mode = f"embedded (SQLite in {settings.data_dir}, jobs in-process)" if settings.embedded else "production"
    log.info("whaticket %s mode, transport %s, %d process(es)", mode, settings.whatsapp_transport, processes)
    # One process runs the app built here; several each build theirs from the import string (they are spawned, not
    # forked: nothing of this process's event loop or connections is inherited).
    app: ASGIApp | str = build_server(settings, freeze_heap=True) if processes == 1 else f"{__name__}:served_app"
    uvicorn.run(
        app,
        factory=processes > 1,
        workers=processes,
        host=host or settings.host,
        port=port or settings.port,
        # The rate limit keys on the client address: X-Forwarded-For is believed only from the proxies named in
        # FORWARDED_ALLOW_IPS, and with none named it is not read at all (uvicorn's own default trusts 127.0.0.1).
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        lifespan="on",
        log_config=None,  # configure_logging above is the one configuration
        access_log=False,  # the request log writes one line per request, with its id
        log_level=settings.log_level,
        server_header=False,
    )
