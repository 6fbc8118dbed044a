"""The command line's operator surface: --version, db current, db history, and one-line failures with exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ops_harness import free_port

from whaticket_adapters.sql.migrate import revisions
from whaticket_api.cli import EXIT_CONFIG, EXIT_UNAVAILABLE, main
from whaticket_api.version import version


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "REDIS_HOST", "APP_ENV", "PORT", "LOG_LEVEL", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_version_and_history(clean_env: None) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.strip() == f"whaticket {version()}"
    history = runner.invoke(main, ["db", "history"])
    assert history.exit_code == 0
    assert [line.split()[0] for line in history.output.splitlines()] == revisions()


def test_db_current_follows_the_schema(clean_env: None, empty_pg_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": empty_pg_url}
    assert runner.invoke(main, ["db", "current"], env=env).output.strip() == (
        "none (not migrated: run whaticket db upgrade)"
    )
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(main, ["db", "current"], env=env).output.strip() == f"{revisions()[-1]} (head)"
    unknown = runner.invoke(main, ["db", "upgrade", "no-such-revision"], env=env)
    assert unknown.exit_code == 1
    assert one_line(unknown.output) == (
        "whaticket: Can't locate revision identified by 'no-such-revision': see whaticket db history"
    )


@pytest.mark.parametrize(
    ("env", "code", "line"),
    [
        ({"LOG_LEVEL": "verbose"}, EXIT_CONFIG, "whaticket: LOG_LEVEL must be one of debug, info, warning, error, "),
        ({"PORT": "99999"}, EXIT_CONFIG, "whaticket: PORT must be between 1 and 65535, not 99999"),
        ({"APP_ENV": "production"}, EXIT_CONFIG, "whaticket: JWT_SECRET and JWT_REFRESH_SECRET must be set when"),
        ({"DATABASE_URL": "mysql://db/app"}, EXIT_CONFIG, "whaticket: DATABASE_URL must look like postgresql://"),
    ],
)
def test_serve_refuses_a_bad_configuration_in_one_line(
    clean_env: None, tmp_path: Path, env: dict[str, str], code: int, line: str
) -> None:
    result = CliRunner().invoke(main, ["serve"], env={"DATA_DIR": str(tmp_path / "data"), **env})
    assert result.exit_code == code
    assert one_line(result.output).startswith(line)


def test_db_commands_on_a_closed_port_print_one_line(clean_env: None) -> None:
    port = free_port()
    url = f"postgresql://postgres@127.0.0.1:{port}/whaticket"
    for command in (["db", "upgrade"], ["db", "current"]):
        result = CliRunner().invoke(main, command, env={"DATABASE_URL": url})
        assert result.exit_code == EXIT_UNAVAILABLE
        assert one_line(result.output) == (
            f"whaticket: cannot reach database 'whaticket' at 127.0.0.1:{port} (connection refused): "
            "start PostgreSQL or fix DATABASE_URL"
        )
