"""``whaticket serve``: migrations (embedded default) then uvicorn on PORT."""

from __future__ import annotations

import asyncio
import logging
import os

import uvicorn

from whaticket_adapters.sql.database import database_url_from_env, upgrade

from .server import build_server
from .settings import Settings

log = logging.getLogger("whaticket.serve")


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return database_url_from_env({"DATA_DIR": str(settings.data_dir)}).render_as_string(hide_password=False)


def prepare(settings: Settings) -> None:
    """The embedded default creates DATA_DIR and its SQLite database and brings it to the latest schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.embedded:
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
        # The rate limit keys on the client address: trust X-Forwarded-For only from the proxies named here.
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        lifespan="on",
        log_level=os.environ.get("LOG_LEVEL", "info").lower(),
        server_header=False,
    )
