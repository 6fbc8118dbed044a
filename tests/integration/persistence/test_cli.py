"""``whaticket db upgrade|downgrade`` and ``whaticket create-admin`` against real databases."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from whaticket_adapters.security import Argon2PasswordHasher
from whaticket_adapters.sql.database import (
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
    current_revision,
    revisions,
)
from whaticket_api.cli import main
from whaticket_core.domain.user import Role


@pytest.fixture(params=["sqlite", "postgres"])
def cli_env(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> dict[str, str]:
    """Environment pointing the CLI at an empty database (a DATA_DIR for SQLite, DATABASE_URL for PostgreSQL)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WHATICKET_ADMIN_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    if request.param == "sqlite":
        return {"DATA_DIR": str(tmp_path / "data")}
    return {"DATABASE_URL": request.getfixturevalue("empty_pg_url")}


def _url(env: dict[str, str]) -> str:
    return env.get("DATABASE_URL") or f"sqlite:///{env['DATA_DIR']}/whaticket.db"


def _admin(url: str, email: str):
    async def load():
        engine = create_engine(url)
        try:
            async with SqlUnitOfWork(create_session_factory(engine)) as uow:
                return await uow.users.get_by_email(email)
        finally:
            await engine.dispose()

    return asyncio.run(load())


def test_db_upgrade_downgrade_and_create_admin(cli_env):
    runner = CliRunner()
    url = _url(cli_env)
    result = runner.invoke(main, ["db", "upgrade"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert asyncio.run(current_revision(url)) == revisions()[-1]

    env = {**cli_env, "WHATICKET_ADMIN_PASSWORD": "correct horse"}
    result = runner.invoke(main, ["create-admin", "--email", " Boss@Example.com", "--name", "Boss"], env=env)
    assert result.exit_code == 0, result.output
    admin = _admin(url, "boss@example.com")
    assert admin is not None
    assert (admin.name, admin.role) == ("Boss", Role.ADMIN)
    assert Argon2PasswordHasher().verify(admin.password_hash, "correct horse")

    again = runner.invoke(main, ["create-admin", "--email", "boss@example.com", "--name", "Boss"], env=env)
    assert again.exit_code != 0
    assert "already registered" in again.output

    result = runner.invoke(main, ["db", "downgrade", "base"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert asyncio.run(current_revision(url)) is None


def test_create_admin_prompts_for_the_password_with_confirmation(cli_env):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=cli_env).exit_code == 0
    typed = "s3cret-pass\ns3cret-pass\n"
    result = runner.invoke(main, ["create-admin", "--email", "a@example.com", "--name", "A"], env=cli_env, input=typed)
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output  # hidden input
    admin = _admin(_url(cli_env), "a@example.com")
    assert admin is not None
    assert Argon2PasswordHasher().verify(admin.password_hash, "s3cret-pass")


def test_create_admin_rejects_a_short_password(cli_env):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=cli_env).exit_code == 0
    env = {**cli_env, "WHATICKET_ADMIN_PASSWORD": "short"}
    result = runner.invoke(main, ["create-admin", "--email", "a@example.com", "--name", "A"], env=env)
    assert result.exit_code != 0
    assert "at least 8" in result.output
