"""Developer and CI sessions: ``nox -s lint tests`` is the test command of the README and of ``.ci/run``."""

from __future__ import annotations

import shutil

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict on the core, and the import-linter layer contracts."""
    session.install("-e", ".[lint,test]")
    session.run("ruff", "check", "src", "tests", "benchmarks")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks")
    session.run("mypy", "--strict", "src/whaticket_core")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests (no I/O) then integration tests against real PostgreSQL and Redis, started when they are down."""
    session.install("-e", ".[test]")
    if shutil.which("npm"):
        # The realtime suite runs the JavaScript socket.io-client against the server.
        session.run("npm", "install", "--no-audit", "--no-fund", "--silent", external=True)
    session.run("bash", "scripts/ensure-services.sh", external=True)
    session.run("pytest", "tests/unit", "-q", *session.posargs)
    session.run("pytest", "tests/integration", "-q", *session.posargs)


@nox.session(python=PYTHON)
def unit(session: nox.Session) -> None:
    """The unit suite alone: milliseconds per test, no database, no network."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/unit", "-q", *session.posargs)


@nox.session(python=PYTHON)
def clients(session: nox.Session) -> None:
    """The client-facing checks alone: /docs in headless Chromium, the OpenAPI and AsyncAPI documents, and the Python
    client and TypeScript types generated from the served document (kept in test-artifacts/)."""
    session.install("-e", ".[test]")
    session.run("npm", "install", "--no-audit", "--no-fund", "--silent", external=True)
    session.run("pytest", "tests/integration/clients", "tests/unit/api", "-q", *session.posargs)
