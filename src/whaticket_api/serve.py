"""``whaticket serve``: logging, migrations (embedded default), start-up checks, then uvicorn on PORT."""

from __future__ import annotations

import asyncio
import logging
import os

import uvicorn

from whaticket_adapters.sql.database import upgrade
from whaticket_adapters.sql.engine import SQLITE_FILE

from .observability.logs import configure_logging
from .server import build_server
from .settings import Settings
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


def run(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Raises :class:`StartupError` (one line) when a dependency is missing after STARTUP_WAIT_SECONDS."""
    configure_logging(settings.log_level, json_lines=settings.json_logs, secrets=secrets_of(settings))
    prepare(settings)
    asyncio.run(check_dependencies(settings))
    mode = f"embedded (SQLite in {settings.data_dir}, jobs in-process)" if settings.embedded else "production"
    log.info("whaticket %s mode, transport %s", mode, settings.whatsapp_transport)
    uvicorn.run(
        build_server(settings),
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
