"""``whaticket serve``: migrations (embedded default) then uvicorn on PORT."""

from __future__ import annotations

import asyncio
import logging
import os

import uvicorn

from whaticket_adapters.sql.database import database_url_from_env, upgrade
from whaticket_adapters.sql.engine import SQLITE_FILE

from .server import build_server
from .settings import Settings

log = logging.getLogger("whaticket.serve")


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return database_url_from_env({"DATA_DIR": str(settings.data_dir)}).render_as_string(hide_password=False)


def prepare(settings: Settings) -> None:
    """The embedded default creates DATA_DIR and its SQLite database and brings it to the latest schema.

    The folder is 0700 and the database file 0600 (created so before SQLite opens it; SQLite gives its -wal and -shm
    files the database file's permissions): it holds password hashes, messages and WhatsApp session keys."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.embedded:
        database = settings.data_dir / SQLITE_FILE
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
            if path.exists():
                os.chmod(path, 0o600)
        asyncio.run(upgrade(database_url(settings)))


def run(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    prepare(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
        log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        server_header=False,
    )
