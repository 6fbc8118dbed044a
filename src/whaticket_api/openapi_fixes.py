"""The OpenAPI document as clients meet it: tags, operationIds a person would type, and corrections so the document
states exactly what the server does.

Corrections, each derived from the code rather than from names:

- Litestar drops constraints on list items (``list[Annotated[int, Meta(ge=1)]]`` becomes ``items: {type: integer}``):
  each array property gets its items back from msgspec's own schema of the same Struct field.
- A response or request part with a non-JSON media type whose schema is a bare string is bytes: ``format: binary``
  (generators drop a body they cannot type).
- Main schemas carry an example (:mod:`.openapi_examples`, each checked against its type by the tests).
"""

from __future__ import annotations

import re
import typing
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.types import Method

from .openapi_examples import SCHEMA_EXAMPLES, patch_operations

API_DESCRIPTION = """\
Helpdesk for WhatsApp conversations: tickets, queues, agents, messages, connections.

- JSON bodies in camelCase; timestamps ISO 8601 in UTC; ids positive integers.
- `Authorization: Bearer <accessToken>` on every route but login, register, refresh and health.
- Every error has one shape: `{statusCode, error, code, message, details?}`; `code` is stable (switch on it).
- Lists: offset pages `{items, total, limit, offset}` or cursor pages `{items, nextCursor}`.
- Unknown query parameters are refused (400 naming them), except `_` (a cache-buster).

Realtime events (Socket.IO on the same port) are described by the AsyncAPI document at `/docs/asyncapi.json`.
"""

TAGS: dict[str, str] = {
    "auth": "Register, log in, refresh and revoke tokens; who am I.",
    "tickets": "Conversations with a contact: the visible list, counts and the agent actions.",
    "messages": "A ticket's messages: read, send (text or media), edit, delete, download media.",
    "contacts": "The people who write; numbers are stored as E.164 digits.",
    "queues": "Departments tickets are routed to; agents belong to queues.",
    "quick-answers": "Canned replies agents insert by shortcut.",
    "users": "Accounts and roles (admin, supervisor, user).",
    "whatsapps": "WhatsApp connections and their sessions: QR code, pairing code, logout.",
    "settings": "Company-wide settings.",
    "tags": "Coloured labels on tickets and contacts (admins write them), and ticket counts per tag.",
    "reports": "First-response and resolution times, ticket counts and ratings, from events recorded as they happen.",
    "automation": "Business hours and the away message (auto-close and auto-assignment are settings).",
    "api-tokens": "Tokens for integrations (Bearer wt_...): scoped, shown once, revocable. Admins only.",
    "webhooks": "Signed POSTs of the realtime events to an integration's URL, with a delivery log.",
    "health": "Liveness and readiness (no token).",
    "simulator": "Simulated WhatsApp (only with WHATSAPP_TRANSPORT=simulator): drive a customer, scan, failures.",
}

# Handlers whose function name does not read as an operation; every other operationId is the name in camelCase.
OPERATION_IDS: dict[str, str] = {
    "me": "getCurrentUser",
    "refresh": "refreshTokens",
    "health": "getHealth",
    "ready": "getReadiness",
    "qrcode": "getQrCode",
    "pair_code": "requestPairCode",
    "get_media": "getMessageMedia",
    "inbound": "simulateInbound",
    "receipt": "simulateReceipt",
    "outbox": "getSimulatorOutbox",
    "scan": "simulateQrScan",
    "drop": "simulateConnectionDrop",
    "fail_next": "simulateSendFailures",
    "report_summary": "getReportSummary",
}

_JSON_MEDIA = re.compile(r"^application/(.+\+)?json$")


def camel(name: str) -> str:
    head, *rest = name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_id(route_handler: HTTPRouteHandler, http_method: Method, path_components: list[Any]) -> str:
    """``list_tickets`` → ``listTickets``; see ``OPERATION_IDS`` for the few renamed."""
    name = route_handler.handler_name
    return OPERATION_IDS.get(name) or camel(name)


# ---- the Structs behind the document -------------------------------------------------------------------------------


def _structs_in(annotation: Any, found: dict[str, type[msgspec.Struct]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation.__name__ not in found:
            found[annotation.__name__] = annotation
            for field in msgspec.structs.fields(annotation):
                _structs_in(field.type, found)
        return
    for arg in typing.get_args(annotation):
        _structs_in(arg, found)


def _handler_structs(app: Litestar) -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            signature = handler.parsed_fn_signature
            _structs_in(signature.return_type.annotation, found)
            for parameter in signature.parameters.values():
                _structs_in(parameter.annotation, found)
            for spec in (handler.responses or {}).values():
                _structs_in(spec.data_container, found)
    return found


# ---- corrections ----------------------------------------------------------------------------------------------------


def _variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]


def _restore_items(schemas: dict[str, Any], structs: dict[str, type[msgspec.Struct]]) -> None:
    _, truth = msgspec.json.schema_components(list(structs.values()), ref_template="#/components/schemas/{name}")
    for name, schema in schemas.items():
        true_properties = truth.get(name, {}).get("properties", {})
        for prop_name, prop in (schema.get("properties") or {}).items():
            true_prop = true_properties.get(prop_name)
            if true_prop is None:
                continue
            true_arrays = [v for v in _variants(true_prop) if v.get("type") == "array"]
            if not true_arrays:
                continue
            true_array = true_arrays[0]
            for variant in _variants(prop):
                if variant.get("type") == "array":
                    if "$ref" not in true_array.get("items", {}):
                        variant["items"] = dict(true_array.get("items", {}))
                    variant.update({k: true_array[k] for k in ("minItems", "maxItems") if k in true_array})
            if prop.get("oneOf") or prop.get("anyOf"):  # length bounds belong on the array, not beside the oneOf
                prop.pop("minItems", None)
                prop.pop("maxItems", None)


def _binary_bodies(document: dict[str, Any]) -> None:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            contents = [r.get("content", {}) for r in operation.get("responses", {}).values()]
            contents.append(operation.get("requestBody", {}).get("content", {}))
            for content in contents:
                for media_type, media in content.items():
                    schema = media.get("schema", {})
                    if (
                        not _JSON_MEDIA.match(media_type)
                        and not media_type.startswith("text/")
                        and media_type not in ("image/svg+xml", "multipart/form-data")
                        and schema.get("type") == "string"
                    ):
                        schema["format"] = "binary"


def _dedupe_security(document: dict[str, Any]) -> None:
    """Litestar concatenates the security of every layer: a route offering "bearer or nothing" inside a bearer
    router would list bearer twice."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "security" in operation:
                unique: list[Any] = []
                for requirement in operation["security"]:
                    if requirement not in unique:
                        unique.append(requirement)
                operation["security"] = unique


def _nullable_enums(node: Any) -> None:
    """``{type: [null, string], enum: [a, b, null]}`` (how Litestar writes ``Literal[...] | None``) becomes
    ``oneOf: [{type: string, enum: [a, b]}, {type: null}]``: the same values, in a form generators read as an
    optional enum."""
    if isinstance(node, list):
        for item in node:
            _nullable_enums(item)
        return
    if not isinstance(node, dict):
        return
    kinds = node.get("type")
    if isinstance(kinds, list) and "null" in kinds and "enum" in node:
        rest = [k for k in kinds if k != "null"]
        enum = {"type": rest[0] if len(rest) == 1 else rest, "enum": [v for v in node.pop("enum") if v is not None]}
        del node["type"]
        node["oneOf"] = [enum, {"type": "null"}]
    for value in node.values():
        _nullable_enums(value)


_ACRONYMS = {"qr": "QR", "whatsapps": "WhatsApp connections", "whatsapp": "WhatsApp connection"}


def _summaries(document: dict[str, Any]) -> None:
    """Litestar's default summary is the handler name (``ListQuickAnswers``); say it in words instead, from the
    operationId (``List quick answers``). Summaries written by hand (with a space) stay."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or " " in operation.get("summary", " "):
                continue
            words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", operation.get("operationId", ""))
            words = [_ACRONYMS.get(w.lower(), w.lower()) for w in words]
            if words:
                operation["summary"] = " ".join(words)[:1].upper() + " ".join(words)[1:]


def _example_objects(document: dict[str, Any]) -> None:
    """Litestar writes an Example's ``id`` (its key in ``examples``) into the Example Object, where OpenAPI 3.1
    allows no such field."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    for example in (media.get("examples") or {}).values():
                        example.pop("id", None)


def _body_limits(document: dict[str, Any]) -> None:
    """Every operation that takes a body answers 413 past the body limit (``MAX_BODY_BYTES``, uploads
    ``MAX_UPLOAD_BYTES``), in the one error shape its 400 already documents."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            shape = responses.get("400", {}).get("content")
            if "413" not in responses and shape is not None:
                json_shape = {kind: {"schema": media["schema"]} for kind, media in shape.items() if "schema" in media}
                responses["413"] = {"description": "Request body too large", "content": json_shape}


def fix_openapi(document: dict[str, Any], app: Litestar) -> dict[str, Any]:
    _dedupe_security(document)
    _example_objects(document)
    _summaries(document)
    _nullable_enums(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _restore_items(schemas, _handler_structs(app))
    for name, example in SCHEMA_EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]
    patch_operations(document)
    _binary_bodies(document)
    _body_limits(document)
    return document


def served_document(app: Litestar) -> dict[str, Any]:
    """The document exactly as ``/docs/openapi.json`` serves it (with the corrections)."""
    document: dict[str, Any] = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    return document


def install(app: Litestar) -> None:
    """Fix the served document once, now: Litestar builds it once and serves the cached dictionary."""
    fix_openapi(served_document(app), app)
