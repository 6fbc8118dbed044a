"""Clients generated from the served OpenAPI document: a Python package (openapi-python-client) that logs in, lists
tickets, sends a message and fetches a QR code against the running server; and TypeScript types (openapi-typescript,
from npm). Both are kept in ``test-artifacts/`` for a person to read."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from served_app import ServedApp

REPO = Path(__file__).parents[3]
PACKAGE = "whaticket_client"
WAIT = 15.0  # seconds; only reached when something is broken


@pytest.fixture(scope="module")
def spec(served: ServedApp, artifacts: Path) -> Path:
    path = artifacts / "openapi.json"
    path.write_bytes(httpx.get(f"{served.url}/docs/openapi.json").content)
    return path


@pytest.fixture(scope="module")
def client_package(spec: Path, artifacts: Path) -> ModuleType:
    out = artifacts / "python-client"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    tool = Path(sys.executable).with_name("openapi-python-client")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(tool), "generate", "--path", str(spec), "--meta", "none", "--output-path", str(out / PACKAGE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # every operation and schema was understood
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))


def _api(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _eventually(read: Any, holds: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT
    value = read()
    while not holds(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}; last seen {value!r}")
        time.sleep(0.1)
        value = read()
    return value


def test_the_generated_python_client_drives_the_running_server(client_package: ModuleType, served: ServedApp) -> None:
    models = _api("models")
    register, login = _api("api.auth.register"), _api("api.auth.login")
    create_whatsapp, start_session = _api("api.whatsapps.create_whatsapp"), _api("api.whatsapps.start_session")
    get_qr_code, list_tickets = _api("api.whatsapps.get_qr_code"), _api("api.tickets.list_tickets")
    accept_ticket, send_message = _api("api.tickets.accept_ticket"), _api("api.messages.send_message")
    simulate_inbound, simulate_qr_scan = _api("api.simulator.simulate_inbound"), _api("api.simulator.simulate_qr_scan")

    anonymous = client_package.Client(base_url=served.url, raise_on_unexpected_status=True)
    account = {"name": "Ana Admin", "email": "ana@example.com", "password": "change-me-soon"}
    registered = register.sync(client=anonymous, body=models.RegisterIn.from_dict(account))
    assert isinstance(registered, models.AuthOut), registered
    logged_in = login.sync(client=anonymous, body=models.LoginIn(email=account["email"], password=account["password"]))
    assert isinstance(logged_in, models.AuthOut), logged_in
    assert logged_in.user.role == models.Role.ADMIN
    api = client_package.AuthenticatedClient(base_url=served.url, token=logged_in.access_token)

    connection = create_whatsapp.sync(client=api, body=models.WhatsAppCreateIn(name="Main"))
    assert isinstance(connection, models.WhatsAppOut), connection
    start_session.sync(whatsapp_id=connection.id, client=api)
    qr = _eventually(
        lambda: get_qr_code.sync(whatsapp_id=connection.id, client=api, format_=models.GetQrCodeFormat.JSON),
        lambda answer: isinstance(answer, models.QrCodeOut),
        "a QR code",
    )
    assert qr.qrcode
    assert qr.png.startswith("data:image/png;base64,")

    simulate_qr_scan.sync(whatsapp_id=connection.id, client=api)
    inbound = {"whatsappId": connection.id, "from": "+55 11 98888-7777", "name": "Maria", "body": "Hi there"}
    assert isinstance(simulate_inbound.sync(client=api, body=models.InboundIn.from_dict(inbound)), models.InboundOut)
    page = _eventually(
        lambda: list_tickets.sync(client=api, status=models.ListTicketsStatusType0.PENDING),
        lambda answer: isinstance(answer, models.TicketPage) and answer.items,
        "a pending ticket",
    )
    ticket = page.items[0]
    assert ticket.contact.name == "Maria"
    assert ticket.status == models.TicketStatus.PENDING
    accepted = accept_ticket.sync(ticket_id=ticket.id, client=api)
    assert accepted.status == models.TicketStatus.OPEN
    sent = send_message.sync(client=api, body=models.SendMessageJsonBody(ticket_id=ticket.id, body="Hello, Maria!"))
    assert isinstance(sent, models.MessageOut), sent
    assert (sent.body, sent.ticket_id, sent.ack) == ("Hello, Maria!", ticket.id, models.MessageAck.PENDING)


def test_typescript_types_are_generated_with_the_documented_names(spec: Path, artifacts: Path) -> None:
    npx = shutil.which("npx")
    if npx is None or not (REPO / "node_modules" / "openapi-typescript").exists():
        if os.environ.get("CI"):
            raise AssertionError("openapi-typescript is missing: npm install (package.json) installs it")
        pytest.skip("run npm install to get openapi-typescript")
    out = artifacts / "whaticket-api.d.ts"
    run = subprocess.run(
        [npx, "--no-install", "openapi-typescript", str(spec), "-o", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    types = out.read_text()
    for expected in ("listTickets: {", "acceptTicket: {", "getQrCode: {", "TicketOut: {", "QrCodeOut: {"):
        assert expected in types, expected
    assert "waMessageIds: string[]" in types
    assert 'status: "pending" | "open" | "closed"' in types or "TicketStatus" in types
