"""Property-based tests over the served OpenAPI document: every operation, authenticated as an admin, with bounded
examples. No answer may be a 5xx, and every answer must match what the document says (status, content type,
schema). The app runs in a real uvicorn server on its own database and event loop (schemathesis calls it from
synchronous code, so sharing the test loop's connections is not possible)."""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from api_harness import FakesProvider, Live, empty_tables, make_settings
from api_world import PASSWORD
from dishka import provide
from hypothesis import HealthCheck, settings
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import create_engine
from whaticket_api.app import create_app
from whaticket_api.openapi_fixes import served_document
from whaticket_core.testing import (
    FakeMediaFetcher,
    FakeMessageSender,
    FakeSessionController,
    InMemoryJobQueue,
    RecordingPublisher,
)

# Bounded so CI stays fast; raise it for a deeper search: SCHEMATHESIS_MAX_EXAMPLES=100 nox -s tests -- -k schemathesis
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
ADMIN = {"email": "admin@example.com", "password": PASSWORD}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(coro: Any) -> Any:
    """Run a coroutine to completion on a private loop in another thread (the test loop may be paused here)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coro)))
    thread.start()
    thread.join()
    return result[0] if result else None


class _Server:
    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class _OwnEngine(FakesProvider):
    """The fakes of the other API tests, with an engine the server creates on its own loop."""

    def __init__(self, url: str) -> None:
        super().__init__(
            None,
            Live(
                RecordingPublisher(),
                InMemoryJobQueue(),
                FakeMessageSender(),
                FakeSessionController(),
                FakeMediaFetcher(),
            ),
        )  # type: ignore[arg-type]
        self._url = url

    @provide
    def engine(self) -> AsyncEngine:
        return create_engine(self._url)


async def _empty(url: str) -> None:
    engine = create_engine(url)
    try:
        await empty_tables(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def base_url(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _run(_empty(pg_url))
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    app = create_app(make_settings(data_dir, database_url=pg_url), overrides=[_OwnEngine(pg_url)])
    with _Server(app, _free_port()) as server:
        _seed(server.url)
        yield server.url


def _seed(base: str) -> None:
    with httpx.Client(base_url=f"{base}/api/v1") as c:
        token = c.post("/auth/register", json={"name": "Admin", **ADMIN}).json()["accessToken"]
        h = {"Authorization": f"Bearer {token}"}
        queue = c.post("/queues", json={"name": "Sales", "color": "#FF0000"}, headers=h).json()["id"]
        c.post("/whatsapps", json={"name": "Main", "queueIds": [queue]}, headers=h).raise_for_status()
        contact = c.post("/contacts", json={"name": "Ana", "number": "5511999990001"}, headers=h).json()["id"]
        ticket = c.post("/tickets", json={"contactId": contact}, headers=h).json()["id"]
        c.post("/messages", json={"ticketId": ticket, "body": "Hello"}, headers=h).raise_for_status()
        c.post("/quick-answers", json={"shortcut": "hi", "message": "Hello!"}, headers=h).raise_for_status()


class _Token:
    """The admin's access token, renewed when an operation (logout-all) revoked it."""

    def __init__(self) -> None:
        self.value: str | None = None

    def headers(self, base: str) -> dict[str, str]:
        with httpx.Client(base_url=f"{base}/api/v1") as c:
            if self.value is None or c.get("/auth/me", headers=self._h()).status_code != 200:
                response = c.post("/auth/login", json=ADMIN)
                self.value = response.json()["accessToken"] if response.status_code == 200 else self.value
        return self._h()

    def _h(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.value}"}


TOKEN = _Token()


# The document is built at import time (the same create_app the server runs; the test below checks the served
# copy is identical) because schemathesis' lazy fixture loader does not work with pytest 9.
DOCUMENT = copy.deepcopy(served_document(create_app(make_settings(Path("data")))))
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_served_document_is_the_one_tested(base_url: str) -> None:
    assert httpx.get(f"{base_url}/docs/openapi.json").json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case: Any, base_url: str) -> None:
    # Every built-in check but positive_data_acceptance: a schema-valid request may still break a business rule
    # JSON Schema cannot state (a phone number's digits, an opaque cursor, a quoted message of another ticket, an
    # integral float for an id), and those answer 400/404/409 by design.
    response = case.call(base_url=base_url, headers=TOKEN.headers(base_url))
    excluded = [schemathesis.checks.positive_data_acceptance]
    if response.status_code == 413:
        # A body over the limit is refused before it is read, so its content is never judged: that is a rejection.
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)
