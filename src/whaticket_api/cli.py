"""The ``whaticket`` command line. Each command is a small click function; add new ones to ``main``.

Configuration comes from the environment (``.env`` is read), through ``settings.py``. A command that cannot do its
work prints one line naming the cause and the fix and exits non-zero: 78 for a bad configuration, 69 for a
dependency that is missing (database, schema, Redis), 1 for anything else.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from typing import Any, NoReturn

import click
from alembic.util.exc import CommandError as AlembicCommandError
from dotenv import find_dotenv, load_dotenv

from whaticket_adapters.sql.database import downgrade, upgrade
from whaticket_adapters.sql.migrate import current_revision, revision_history
from whaticket_core.domain.errors import DomainError
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.directory.users import CreateUser, CreateUserCommand

from .container import make_container
from .settings import MAX_WORKERS, ConfigError, Settings, database_url_from_settings
from .startup import StartupError, describe_database_error
from .version import version

ADMIN_PASSWORD_ENV = "WHATICKET_ADMIN_PASSWORD"
# The command line acts as an administrator of its own (no account behind it).
SYSTEM_ACTOR = Viewer(user_id=0, role=Role.ADMIN, queue_ids=frozenset())
EXIT_UNAVAILABLE = 69  # sysexits EX_UNAVAILABLE: a dependency is missing or not ready
EXIT_CONFIG = 78  # sysexits EX_CONFIG: the configuration is wrong


def _fail(line: str, code: int) -> NoReturn:
    click.echo(f"whaticket: {line}", err=True)
    sys.exit(code)


def _database_url() -> str:
    try:
        return database_url_from_settings()
    except ConfigError as error:
        _fail(str(error), EXIT_CONFIG)


def _settings(*, require_secrets: bool = True) -> Settings:
    try:
        return Settings.from_env(dotenv=False, require_secrets=require_secrets)  # main() already read .env
    except ConfigError as error:
        _fail(str(error), EXIT_CONFIG)


def _run(coroutine: Coroutine[Any, Any, Any], url: str | None = None) -> Any:
    """Run a command's coroutine; driver and Alembic errors become one line."""
    try:
        return asyncio.run(coroutine)
    except DomainError as error:
        _fail(error.message, 1)
    except StartupError as error:
        _fail(str(error), EXIT_UNAVAILABLE)
    except AlembicCommandError as error:  # an unknown revision, a broken chain: the operator's argument
        _fail(f"{' '.join(str(error).split())[:300]}: see whaticket db history", 1)
    except Exception as error:
        if url is None:
            _fail(f"{type(error).__name__}: {' '.join(str(error).split())[:300]}", 1)
        _fail(describe_database_error(url, error).line(), EXIT_UNAVAILABLE)


@click.group()
@click.version_option(version(), "--version", prog_name="whaticket", message="%(prog)s %(version)s")
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
    url = _database_url()
    _run(upgrade(url, revision), url)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    url = _database_url()
    _run(downgrade(url, revision), url)
    click.echo(f"database at {revision}")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and whether it is the latest this version knows."""
    url = _database_url()
    current = _run(current_revision(url), url)
    history = revision_history()
    head = history[-1][0] if history else None
    if current is None:
        click.echo("none (not migrated: run whaticket db upgrade)")
    elif current == head:
        click.echo(f"{current} (head)")
    elif current in {r for r, _ in history}:
        click.echo(f"{current} (behind {head}: run whaticket db upgrade)")
    else:
        click.echo(f"{current} (unknown to this version; newest known is {head})")


@db.command("history")
def db_history() -> None:
    """List the schema revisions this version knows, oldest first."""
    for revision, message in revision_history():
        click.echo(f"{revision}  {message}")


@main.command("create-admin")
@click.option("--email", required=True, help="The administrator's email (login).")
@click.option("--name", required=True, help="The administrator's display name.")
def create_admin(email: str, name: str) -> None:
    """Create an administrator account. The password comes from $WHATICKET_ADMIN_PASSWORD or a hidden prompt."""
    password = os.environ.get(ADMIN_PASSWORD_ENV) or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings(require_secrets=False)
    _run(_create_admin(settings, email, name, password), _database_url())
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
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: $PORT or 3001).")
@click.option(
    "--workers",
    type=click.IntRange(1, MAX_WORKERS),
    default=None,
    help="Server processes (default: $WEB_CONCURRENCY, else 1; more needs PostgreSQL and Redis).",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API and Socket.IO. Without DATABASE_URL: SQLite in DATA_DIR, migrated on start, jobs and
    WhatsApp sessions in this process. Checks the database, its schema and Redis first. More than one worker
    process needs PostgreSQL and REDIS_URL."""
    from .serve import run

    try:
        run(_settings(), host=host, port=port, workers=workers)
    except ConfigError as error:
        _fail(str(error), EXIT_CONFIG)
    except StartupError as error:
        _fail(str(error), EXIT_UNAVAILABLE)


@main.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 1000), default=10, show_default=True, help="Jobs run at once.")
def worker(concurrency: int) -> None:
    """Run background jobs and hold WhatsApp sessions (production: needs DATABASE_URL and REDIS_URL). Checks the
    database, its schema and Redis first."""
    from .observability.logs import configure_logging
    from .startup import check_dependencies, secrets_of
    from .worker import run_worker

    try:
        settings = _settings()
        configure_logging(settings.log_level, json_lines=settings.json_logs, secrets=secrets_of(settings))
        if not settings.redis_url or settings.embedded:
            raise ConfigError(
                "whaticket worker needs DATABASE_URL and REDIS_URL; in the embedded default `whaticket serve` runs "
                "the jobs and sessions itself"
            )
        asyncio.run(check_dependencies(settings))
        asyncio.run(run_worker(settings, concurrency=concurrency))
    except ConfigError as error:
        _fail(str(error), EXIT_CONFIG)
    except StartupError as error:
        _fail(str(error), EXIT_UNAVAILABLE)
