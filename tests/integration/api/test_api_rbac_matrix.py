"""Every route x every role (admin, supervisor, agent, no token) → the status `docs/api.md` gives, from one table.

Rows whose request changes state for more than one role run each role on a fresh world (``fresh``); the others
run the roles on one world, callers without the right first, so a permitted DELETE cannot hide a missing check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_harness import WorldFactory
from api_world import PASSWORD, World

ROLES = ("anon", "agent", "supervisor", "admin")  # the order of a shared world: least privileged first

Body = Callable[[World, str], Any] | dict[str, Any] | None


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # formatted with the world's ids and ``{<person>_id}``
    expect: tuple[int, int, int, int]  # admin, supervisor, agent, anon
    body: Body = None
    fresh: bool = False
    prepare: Callable[[World], Awaitable[None]] | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def staff_only(ok: int) -> tuple[int, int, int, int]:
    return (ok, ok, 403, 401)


def admin_only(ok: int) -> tuple[int, int, int, int]:
    return (ok, 403, 403, 401)


def anyone(ok: int) -> tuple[int, int, int, int]:
    return (ok, ok, ok, 401)


def hidden_from_agent(ok: int) -> tuple[int, int, int, int]:
    return (ok, ok, 404, 401)


def public(ok: int) -> tuple[int, int, int, int]:
    return (ok, ok, ok, ok)


def own_refresh(world: World, role: str) -> dict[str, str]:
    who = "other_agent" if role == "anon" else role
    return {"refreshToken": world.people[who].refresh}


def unique(template: dict[str, str]) -> Callable[[World, str], dict[str, str]]:
    return lambda _w, role: {k: v.format(role=role, n=ROLES.index(role)) for k, v in template.items()}


ROWS = [
    # auth
    Row("POST", "/auth/register", public(403), {"name": "Late", "email": "late@example.com", "password": PASSWORD}),
    Row("POST", "/auth/login", public(200), {"email": "admin@example.com", "password": PASSWORD}),
    Row("POST", "/auth/refresh", public(200), own_refresh),
    Row("POST", "/auth/logout", anyone(204), own_refresh),
    Row("POST", "/auth/logout-all", anyone(204)),
    Row("GET", "/auth/me", anyone(200)),
    # users
    Row("GET", "/users", staff_only(200)),
    Row("GET", "/users/{other_agent_id}", staff_only(200)),
    Row(
        "POST",
        "/users",
        admin_only(201),
        unique({"name": "New", "email": "new-{role}@example.com", "password": PASSWORD, "role": "user"}),
    ),
    Row("PUT", "/users/{other_agent_id}", admin_only(200), {"name": "Renamed"}),
    Row("DELETE", "/users/{other_agent_id}", admin_only(204)),
    # tickets
    Row("GET", "/tickets", anyone(200)),
    Row("GET", "/tickets/counts", anyone(200)),
    Row("GET", "/tickets/{t_sales}", anyone(200)),
    Row("GET", "/tickets/{t_hidden}", hidden_from_agent(200)),
    Row("POST", "/tickets", anyone(201), lambda w, _r: {"contactId": w.free_contact}, fresh=True),
    Row("PUT", "/tickets/{t_sales}", anyone(200), {"status": "closed"}, fresh=True),
    Row("PUT", "/tickets/{t_hidden}", hidden_from_agent(200), {"status": "closed"}, fresh=True),
    Row("POST", "/tickets/{t_sales}/accept", anyone(200), fresh=True),
    Row("POST", "/tickets/{t_hidden}/accept", hidden_from_agent(409)),
    Row("POST", "/tickets/{t_sales}/transfer", anyone(200), lambda w, _r: {"queueId": w.support}, fresh=True),
    Row("POST", "/tickets/{t_hidden}/transfer", hidden_from_agent(200), lambda w, _r: {"queueId": w.sales}, fresh=True),
    Row("POST", "/tickets/{t_sales}/close", anyone(200), fresh=True),
    Row("POST", "/tickets/{t_hidden}/close", hidden_from_agent(200), fresh=True),
    Row("POST", "/tickets/{t_closed}/reopen", anyone(200), fresh=True),
    Row("POST", "/tickets/{t_sales}/read", anyone(204)),
    Row("POST", "/tickets/{t_hidden}/read", hidden_from_agent(204)),
    Row("PUT", "/tickets/{t_sales}/tags", anyone(200), lambda w, _r: {"tagIds": [w.tag]}),
    Row("PUT", "/tickets/{t_hidden}/tags", hidden_from_agent(200), lambda w, _r: {"tagIds": [w.tag]}),
    Row("POST", "/tickets/{t_sales}/notes", anyone(201), {"body": "note"}),
    Row("POST", "/tickets/{t_hidden}/notes", hidden_from_agent(201), {"body": "note"}),
    Row("DELETE", "/tickets/{t_sales}", admin_only(204)),
    Row("DELETE", "/tickets/{t_hidden}", admin_only(204)),
    # messages
    Row("GET", "/messages", anyone(200), params={"ticketId": "{t_sales}"}),
    Row("GET", "/messages", hidden_from_agent(200), params={"ticketId": "{t_hidden}"}),
    Row("GET", "/messages/{m_sales}", anyone(200)),
    Row("GET", "/messages/{m_hidden}", hidden_from_agent(200)),
    Row("POST", "/messages", anyone(201), lambda w, _r: {"ticketId": w.t_sales, "body": "Hi!"}),
    Row("POST", "/messages", hidden_from_agent(201), lambda w, _r: {"ticketId": w.t_hidden, "body": "Hi!"}),
    Row("PUT", "/messages/{m_sales}", anyone(409), {"body": "edited"}),
    Row("PUT", "/messages/{m_hidden}", hidden_from_agent(409), {"body": "edited"}),
    Row("DELETE", "/messages/{m_sales}", anyone(409)),
    Row("DELETE", "/messages/{m_hidden}", hidden_from_agent(409)),
    Row("GET", "/messages/{m_sales}/media", anyone(404)),
    Row("POST", "/messages/send", anyone(201), {"number": "+55 11 98888-0001", "body": "Hello"}),
    # contacts
    Row("GET", "/contacts", anyone(200)),
    Row("GET", "/contacts/{free_contact}", anyone(200)),
    Row("POST", "/contacts", anyone(201), unique({"name": "C {role}", "number": "55119876543{n}"})),
    Row("PUT", "/contacts/{free_contact}", anyone(200), {"name": "Renamed"}),
    Row("DELETE", "/contacts/{free_contact}", anyone(204), fresh=True),
    Row("DELETE", "/contacts/{c_pending}", admin_only(204)),
    Row("PUT", "/contacts/{free_contact}/tags", anyone(200), lambda w, _r: {"tagIds": [w.tag]}),
    # tags
    Row("GET", "/tags", anyone(200)),
    Row("GET", "/tags/counts", anyone(200), params={"status": "pending"}),
    Row("GET", "/tags/{tag}", anyone(200)),
    Row("POST", "/tags", admin_only(201), unique({"name": "T {role}", "color": "#00000{n}"})),
    Row("PUT", "/tags/{tag}", admin_only(200), {"color": "#112233"}),
    Row("DELETE", "/tags/{tag}", admin_only(204)),
    # queues
    Row("GET", "/queues", anyone(200)),
    Row("GET", "/queues/{sales}", anyone(200)),
    Row("POST", "/queues", admin_only(201), unique({"name": "Q {role}", "color": "#00000{n}"})),
    Row("PUT", "/queues/{support}", admin_only(200), {"greetingMessage": "Hi"}),
    Row("DELETE", "/queues/{support}", admin_only(204)),
    # quick answers
    Row("GET", "/quick-answers", anyone(200)),
    Row("GET", "/quick-answers/{quick}", anyone(200)),
    Row("POST", "/quick-answers", anyone(201), unique({"shortcut": "s-{role}", "message": "text"})),
    Row("PUT", "/quick-answers/{quick}", anyone(200), {"message": "changed"}),
    Row("DELETE", "/quick-answers/{quick}", anyone(204), fresh=True),
    # settings
    Row("GET", "/settings", anyone(200)),
    Row("PUT", "/settings/userCreation", admin_only(200), {"value": "enabled"}),
    # business hours
    Row("GET", "/business-hours", admin_only(200)),
    Row("GET", "/business-hours", admin_only(200), params={"queueId": "{sales}"}),
    Row("PUT", "/business-hours", admin_only(200), {"awayMessage": "Closed"}, params={"whatsappId": "{main}"}),
    Row("DELETE", "/business-hours", admin_only(204), params={"queueId": "{support}"}),
    # connections
    Row("GET", "/whatsapps", anyone(200)),
    Row("GET", "/whatsapps/{main}", anyone(200)),
    Row("POST", "/whatsapps", admin_only(201), unique({"name": "W {role}"})),
    Row("PUT", "/whatsapps/{main}", admin_only(200), {"greetingMessage": "Hello {{name}}"}),
    Row("DELETE", "/whatsapps/{spare}", admin_only(204)),
    Row("POST", "/whatsapps/{main}/session", admin_only(200)),
    Row("DELETE", "/whatsapps/{main}/session", admin_only(204)),
    Row("GET", "/whatsapps/{main}/qrcode", admin_only(200), prepare=lambda w: w.set_qr()),
    Row("POST", "/whatsapps/{main}/pair-code", admin_only(200), {"phoneNumber": "+55 11 99999-0000"}),
    Row("GET", "/whatsapps/{main}/inbox-failures", admin_only(200)),
    Row(
        "POST",
        "/whatsapps/{main}/inbox-failures/{inbox_failure}/retry",
        admin_only(202),
        fresh=True,
        prepare=lambda w: w.add_inbox_failure(),
    ),
    # reports
    Row("GET", "/reports/summary", staff_only(200)),
    # API tokens
    Row("POST", "/api-tokens", admin_only(201), {"name": "CRM", "scopes": ["tickets:read"]}),
    Row("GET", "/api-tokens", admin_only(200)),
    Row("DELETE", "/api-tokens/{api_token}", admin_only(204), prepare=lambda w: w.add_api_token()),
    # webhooks (a public address: nothing is sent here, the URL is only checked)
    Row("POST", "/webhooks", admin_only(201), {"url": "https://93.184.215.14/hook", "events": ["*"]}),
    Row("GET", "/webhooks", admin_only(200)),
    Row("PUT", "/webhooks/{webhook}", admin_only(200), {"description": "CRM"}, prepare=lambda w: w.add_webhook()),
    Row("DELETE", "/webhooks/{webhook}", admin_only(204), prepare=lambda w: w.add_webhook()),
    Row("GET", "/webhooks/{webhook}/deliveries", admin_only(200), prepare=lambda w: w.add_webhook()),
    Row(
        "POST",
        "/webhooks/{webhook}/deliveries/{delivery}/redeliver",
        admin_only(202),
        prepare=lambda w: w.add_webhook(with_delivery=True),
    ),
    # health
    Row("GET", "/health", public(200)),
    Row("GET", "/health/ready", public(200)),
]


def _fill(world: World, text: str) -> str:
    values = {**world.ids, **{f"{k}_id": p.id for k, p in world.people.items()}}
    return text.format(**values)


async def _call(world: World, row: Row, role: str) -> int:
    if row.prepare is not None:
        await row.prepare(world)
    headers = {} if role == "anon" else world.people[role].headers
    body = row.body(world, role) if callable(row.body) else row.body
    response = await world.client.request(
        row.method,
        _fill(world, row.path),
        json=body,
        params={k: _fill(world, v) for k, v in row.params.items()},
        headers=headers,
    )
    if response.status_code >= 400:
        assert response.json()["statusCode"] == response.status_code  # the one error shape, always
    return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=[r.id + (f" {r.params}" if r.params else "") for r in ROWS])
async def test_route_answers_each_role_as_the_contract_says(row: Row, new_world: WorldFactory) -> None:
    expected = dict(zip(("admin", "supervisor", "agent", "anon"), row.expect, strict=True))
    got: dict[str, int] = {}
    if row.fresh:
        for role in ROLES:
            got[role] = await _call(await new_world(), row, role)
    else:
        world = await new_world()
        for role in ROLES:
            got[role] = await _call(world, row, role)
    assert got == {role: expected[role] for role in ROLES}


def test_matrix_covers_every_operation_of_the_openapi_document() -> None:
    from api_harness import make_settings

    from whaticket_api.app import create_app

    schema = create_app(make_settings(__import__("pathlib").Path("/tmp"))).openapi_schema.to_schema()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete")
    }
    covered = {(r.method, _template(r.path)) for r in ROWS}
    assert documented - covered == set()


def _template(path: str) -> str:
    """``/tickets/{t_sales}/close`` → ``/tickets/{ticket_id}/close``, the OpenAPI form."""
    names = {
        "tickets": "ticket_id",
        "messages": "message_id",
        "users": "user_id",
        "contacts": "contact_id",
        "queues": "queue_id",
        "quick-answers": "quick_answer_id",
        "whatsapps": "whatsapp_id",
        "settings": "key",
        "tags": "tag_id",
        "api-tokens": "api_token_id",
        "webhooks": "webhook_id",
    }
    parts = path.strip("/").split("/")
    out = []
    for i, part in enumerate(parts):
        if i == 1 and (part.startswith("{") or part == "userCreation"):
            out.append("{" + names[parts[0]] + "}")
        elif i == 3 and parts[2] == "inbox-failures":
            out.append("{failure_id}")
        elif i == 3 and parts[0] == "webhooks":
            out.append("{delivery_id}")
        else:
            out.append(part)
    return "/" + "/".join(out)


def test_matrix_size() -> None:
    assert len(ROWS) * len(ROLES) >= 4 * 60
