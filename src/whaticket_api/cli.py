"""The ``whaticket`` command line. Each command is a small click function; add new ones to ``main``.

Configuration comes from the environment (``.env`` is read): ``DATABASE_URL`` (PostgreSQL) or ``DATA_DIR`` (the
SQLite file of the embedded default).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any

import click
from dotenv import find_dotenv, load_dotenv

from whaticket_adapters.sql.database import SqlStoreError, database_url_from_env, downgrade, upgrade
from whaticket_core.domain.errors import DomainError
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.users import CreateUser, CreateUserCommand

from .container import make_container
from .settings import ConfigError, Settings

ADMIN_PASSWORD_ENV = "WHATICKET_ADMIN_PASSWORD"
# The command line acts as an administrator of its own (no account behind it).
SYSTEM_ACTOR = Viewer(user_id=0, role=Role.ADMIN, queue_ids=frozenset())


def _database_url() -> str:
    return database_url_from_env().render_as_string(hide_password=False)


def _settings(*, require_secrets: bool = True) -> Settings:
    try:
        return Settings.from_env(dotenv=False, require_secrets=require_secrets)  # main() already read .env
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _run(coroutine: Coroutine[Any, Any, Any]) -> None:
    try:
        asyncio.run(coroutine)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    except (SqlStoreError, OSError) as error:
        raise click.ClickException(f"database error: {error}") from None


@click.group()
def main() -> None:
    """Whaticket: a helpdesk for customer conversations over WhatsApp."""
    # .env of the working directory (or a parent), not of the installed package's folder.
    load_dotenv(find_dotenv(usecwd=True), override=False)


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    _run(upgrade(_database_url(), revision))
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    _run(downgrade(_database_url(), revision))
    click.echo(f"database at {revision}")


@main.command("create-admin")
@click.option("--email", required=True, help="The administrator's email (login).")
@click.option("--name", required=True, help="The administrator's display name.")
def create_admin(email: str, name: str) -> None:
    """Create an administrator account. The password comes from $WHATICKET_ADMIN_PASSWORD or a hidden prompt."""
    password = os.environ.get(ADMIN_PASSWORD_ENV) or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _run(_create_admin(_settings(require_secrets=False), email, name, password))
    click.echo(f"administrator {email.strip().lower()} created")


async def _create_admin(settings: Settings, email: str, name: str, password: str) -> None:
    container = make_container(settings)
    try:
        async with container() as request:
            use_case = await request.get(CreateUser)
            await use_case.execute(CreateUserCommand(SYSTEM_ACTOR, name, email, password, role=Role.ADMIN))
    finally:
        await container.close()


@main.command("serve")
@click.option("--host", default=None, help="Interface to bind (default: $HOST or 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default: $PORT or 3001).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the HTTP API and Socket.IO. Without DATABASE_URL: SQLite in DATA_DIR, migrated on start, jobs and
    WhatsApp sessions in this process."""
    from .serve import run

    run(_settings(), host=host, port=port)


@main.command("worker")
@click.option("--concurrency", type=int, default=10, show_default=True, help="Jobs run at once.")
def worker(concurrency: int) -> None:
    """Run background jobs and hold WhatsApp sessions (production: needs DATABASE_URL and REDIS_URL)."""
    import logging

    from .worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run_worker(_settings(), concurrency=concurrency))
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
