"""Examples of the main schemas, and the operations Litestar cannot describe from a handler's signature alone.

Every example is decoded into its Struct by the tests, so an example that no longer fits its type fails the build.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .routes.whatsapps import QrCodeOut

_CONTACT = {"id": 7, "name": "Maria Souza", "number": "5511988887777", "profilePicUrl": None, "isGroup": False}
_TICKET = {
    "id": 31,
    "status": "open",
    "contact": _CONTACT,
    "whatsappId": 1,
    "queueId": 2,
    "userId": 4,
    "unreadMessages": 0,
    "lastMessage": "Sorry about that, Maria! It ships today.",
    "lastMessageAt": "2026-11-29T14:03:11.250000Z",
    "isGroup": False,
    "createdAt": "2026-11-29T13:58:02.114000Z",
    "updatedAt": "2026-11-29T14:03:11.250000Z",
    "closedAt": None,
    "tags": [{"id": 3, "name": "Urgent", "color": "#E53935"}],
    "rating": None,
}
_MESSAGE = {
    "id": 512,
    "ticketId": 31,
    "contactId": 7,
    "fromMe": False,
    "body": "Hi, my order has not arrived",
    "ack": "delivered",
    "mediaType": "image",
    "mediaUrl": "/api/v1/messages/512/media?sig=1764425291.4.0.Zm9vYmFy",
    "quotedMessageId": None,
    "isEdited": False,
    "isDeleted": False,
    "error": None,
    "createdAt": "2026-11-29T14:01:40.000000Z",
    "participant": None,
    "participantName": None,
}
_USER = {
    "id": 4,
    "name": "Ana Admin",
    "email": "ana@example.com",
    "role": "admin",
    "queueIds": [2],
    "whatsappId": None,
    "createdAt": "2026-11-01T09:00:00Z",
    "maxOpenTickets": 0,
}

# Component name → one example of it.
SCHEMA_EXAMPLES: dict[str, dict[str, Any]] = {
    "TicketOut": _TICKET,
    "TicketPage": {"items": [_TICKET], "nextCursor": "eyJ0IjoiMjAyNi0xMS0yOVQxNDowMzoxMSIsImlkIjozMX0"},
    "TicketCountsOut": {"pending": 3, "open": 5, "closed": 120},
    "MessageOut": _MESSAGE,
    "MessagePage": {"items": [_MESSAGE], "nextCursor": None},
    "ContactSummaryOut": _CONTACT,
    "ContactOut": {
        **_CONTACT,
        "email": "maria@example.com",
        "extraInfo": [{"name": "Customer id", "value": "C-1029"}],
        "createdAt": "2026-11-29T13:58:02.114000Z",
        "tags": [{"id": 5, "name": "VIP", "color": "#FFB300"}],
    },
    "TagOut": {"id": 3, "name": "Urgent", "color": "#E53935"},
    "UserOut": _USER,
    "AuthOut": {
        "user": _USER,
        "accessToken": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        "refreshToken": "eyJhbGciOiJIUzI1NiJ9.e30.cmVm",
    },
    "QueueOut": {"id": 2, "name": "Support", "color": "#1565C0", "greetingMessage": "Support here.", "userIds": [4]},
    "QuickAnswerOut": {"id": 3, "shortcut": "ships", "message": "Your order ships today."},
    "WhatsAppOut": {
        "id": 1,
        "name": "Main",
        "status": "CONNECTED",
        "number": "5511955554444",
        "isDefault": True,
        "greetingMessage": "Hello! Which department would you like?",
        "farewellMessage": "Thanks for writing, {{name}}. Bye!",
        "queueIds": [1, 2],
        "updatedAt": "2026-11-29T13:50:00Z",
    },
    "QrCodeOut": {
        "qrcode": "2@AbCdEf...==,Q1w2e3...=,R4t5y6...=,U7i8o9...=",
        "png": "data:image/png;base64,iVBORw0KGgo=",
    },
    "ErrorBody": {
        "statusCode": 409,
        "error": "Conflict",
        "code": "ticket_already_open",
        "message": "Contact 7 already has ticket 31 open",
        "details": {"ticketId": 31},
    },
    "LoginIn": {"email": "ana@example.com", "password": "change-me-soon"},
    "RegisterIn": {"name": "Ana Admin", "email": "ana@example.com", "password": "change-me-soon"},
    "TicketCreateIn": {"contactId": 7, "whatsappId": 1, "queueId": 2},
    "TransferIn": {"queueId": 2},
    "BusinessHoursOut": {
        "timezone": "America/Sao_Paulo",
        "week": {
            "mon": [["08:00", "12:00"], ["13:00", "18:00"]],
            "tue": [["08:00", "18:00"]],
            "wed": [["08:00", "18:00"]],
            "thu": [["08:00", "18:00"]],
            "fri": [["08:00", "17:00"]],
            "sat": [],
            "sun": [],
        },
        "exceptions": [{"date": "2026-12-25", "ranges": []}],
        "awayMessage": "We are closed now; we answer from 08:00.",
        "scope": "company",
    },
    "BusinessHoursIn": {
        "timezone": "America/Sao_Paulo",
        "week": {"sat": [["09:00", "12:00"]]},
        "awayMessage": "We are closed now; we answer from 08:00.",
    },
}

QR_OPERATION = "getQrCode"


def patch_operations(document: dict[str, Any]) -> None:
    """The QR endpoint answers three media types, chosen by ``?format=``."""
    schemas = document["components"]["schemas"]
    (qr_schema,), extra = msgspec.json.schema_components([QrCodeOut], ref_template="#/components/schemas/{name}")
    for name, schema in extra.items():
        schemas.setdefault(name, schema)
    if "QrCodeOut" in schemas and "QrCodeOut" in SCHEMA_EXAMPLES:
        schemas["QrCodeOut"]["examples"] = [SCHEMA_EXAMPLES["QrCodeOut"]]
    for path_item in document.get("paths", {}).values():
        operation = path_item.get("get")
        if not isinstance(operation, dict) or operation.get("operationId") != QR_OPERATION:
            continue
        operation["responses"]["200"] = {
            "description": "The current QR code: PNG (default), SVG, or JSON with the text and a PNG data URL",
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}},
                "application/json": {"schema": qr_schema},
            },
        }
