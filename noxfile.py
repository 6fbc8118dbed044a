"""Developer and CI sessions: ``nox`` (``lint`` then ``tests``) is the test command of the README and of ``.ci/run``.

Every session installs through ``constraints.txt``, the lock of the whole dependency set (``nox -s lock`` refreshes
it), so a run here and in CI uses the same versions of the libraries and of the checkers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"
# A session whose interpreter cannot be found fails the run instead of being skipped: a green run ran everything.
nox.options.error_on_missing_interpreters = True

CONSTRAINTS = ("-c", "constraints.txt")
LINTED = ("src", "tests", "benchmarks", "scripts", "noxfile.py")
MIN_PYTHON = (3, 11)


def _python() -> str | None:
    """The interpreter the sessions run on: the one running nox when it is recent enough (``None`` tells nox so),
    else the newest ``python3.N`` (N ≥ 11) on the PATH, else ``3.11``, which nox then reports missing, as an error."""
    if sys.version_info >= MIN_PYTHON:
        return None
    for minor in range(20, MIN_PYTHON[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        # A version manager's shim can be on the PATH without a Python behind it: ask it to run.
        if found and subprocess.run([found, "-c", ""], capture_output=True, check=False).returncode == 0:
            return f"3.{minor}"
    return "{}.{}".format(*MIN_PYTHON)


PYTHON = _python()


def _services(session: nox.Session) -> None:
    """What the integration suites need: the JavaScript client and running PostgreSQL and Redis."""
    if shutil.which("npm"):
        # The realtime suite runs the JavaScript socket.io-client against the server.
        session.run("npm", "install", "--no-audit", "--no-fund", "--silent", external=True)
    session.run("bash", "scripts/ensure-services.sh", external=True)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """The lock covers pyproject.toml; ruff, mypy --strict over src and tests/unit, and the import-linter contracts."""
    session.install("-e", ".[lint,test]", *CONSTRAINTS)
    session.run("python", "scripts/check_lock.py")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)
    session.run("mypy", "--strict", "src", "tests/unit")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests (no I/O) then integration tests against real PostgreSQL and Redis, started when they are down."""
    session.install("-e", ".[test]", *CONSTRAINTS)
    _services(session)
    session.run("pytest", "tests/unit", "-q", *_parallel(), *session.posargs)
    session.run("pytest", "tests/integration", "-q", *_parallel(), *session.posargs)


def _parallel() -> tuple[str, ...]:
    """pytest-xdist options: the integration suites mostly wait (on servers, workers, sockets) and the unit suite's
    property tests compute, so both run on one worker per core, at least two and at most four (each worker takes
    four Redis databases of the sixteen a default server has). A file stays on one worker: its module fixtures (a
    served app, a flushed database) are built once. ``TEST_WORKERS=0`` runs them in this process."""
    workers = int(os.environ.get("TEST_WORKERS", min(4, max(2, os.cpu_count() or 1))))
    return ("-n", str(workers), "--dist", "loadfile") if workers > 0 else ()


@nox.session(python=PYTHON)
def unit(session: nox.Session) -> None:
    """The unit suite alone: milliseconds per test, no database, no network."""
    session.install("-e", ".[test]", *CONSTRAINTS)
    session.run("pytest", "tests/unit", "-q", *session.posargs)


@nox.session(python=PYTHON)
def coverage(session: nox.Session) -> None:
    """Line and branch coverage of ``src/`` over the unit and integration suites (the served processes included);
    prints the table and the total."""
    session.install("-e", ".[test]", *CONSTRAINTS)
    _services(session)
    session.run("coverage", "erase")
    session.run("pytest", "tests/unit", "-q", "--cov", "--cov-report=", *session.posargs)
    session.run("pytest", "tests/integration", "-q", "--cov", "--cov-append", "--cov-report=", *session.posargs)
    session.run("coverage", "report")


@nox.session(python=PYTHON)
def lock(session: nox.Session) -> None:
    """Rewrites ``constraints.txt`` from ``pyproject.toml`` (every extra, any platform, Python ≥ 3.11). Versions already
    locked are kept unless ``pyproject.toml`` moved them; ``nox -s lock -- --upgrade`` takes the newest allowed."""
    session.install("uv", *CONSTRAINTS)
    session.run(
        "uv",
        "pip",
        "compile",
        "pyproject.toml",
        "--all-extras",
        "--universal",
        "--python-version",
        "{}.{}".format(*MIN_PYTHON),
        "--custom-compile-command",
        "python3 -m nox -s lock",
        "--quiet",
        "--output-file",
        "constraints.txt",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def clients(session: nox.Session) -> None:
    """The client-facing checks alone: /docs in headless Chromium, the OpenAPI and AsyncAPI documents, and the Python
    client and TypeScript types generated from the served document (kept in test-artifacts/)."""
    session.install("-e", ".[test]", *CONSTRAINTS)
    session.run("npm", "install", "--no-audit", "--no-fund", "--silent", external=True)
    session.run("pytest", "tests/integration/clients", "tests/unit/api", "-q", *session.posargs)
