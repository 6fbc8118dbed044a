"""The API's error table camelizes the core's snake_case details once, so the wire keeps its camelCase names."""

from __future__ import annotations

from typing import Any

from whaticket_api.errors import EXCEPTION_HANDLERS, ErrorBody, wire_details
from whaticket_core.domain.errors import DomainError, InvalidInput, TicketAlreadyOpen


def test_detail_keys_and_field_names_are_camelized() -> None:
    details = {"ticket_id": 7, "quick_answer_id": 3, "fields": ["user_id", "queue_id", "name"], "number": "5511"}
    assert wire_details(details) == {
        "ticketId": 7,
        "quickAnswerId": 3,
        "fields": ["userId", "queueId", "name"],
        "number": "5511",
    }


def test_values_are_left_alone() -> None:
    assert wire_details({"constraint": "default_whatsapp"}) == {"constraint": "default_whatsapp"}


def _details(error: DomainError) -> dict[str, Any] | None:
    handler: Any = EXCEPTION_HANDLERS[DomainError]
    body = handler(None, error).content
    assert isinstance(body, ErrorBody)
    return body.details


def test_a_domain_error_answers_with_camel_case_details() -> None:
    transfer = InvalidInput("A transfer needs a user or a queue", "user_id", "queue_id")
    assert _details(transfer) == {"fields": ["userId", "queueId"]}
    assert _details(TicketAlreadyOpen("open", ticket_id=9, contact_id=4)) == {"ticketId": 9, "contactId": 4}
