"""What other use cases do to scheduled messages."""

from __future__ import annotations

from whaticket_core.domain.message import Message
from whaticket_core.ports.unit_of_work import UnitOfWork


async def cancel_on_reply(uow: UnitOfWork, ticket_id: int) -> list[Message]:
    """The customer wrote on the ticket: its scheduled messages marked ``cancel_if_replied`` are cancelled (deleted:
    the release job then skips them). Returns them."""
    cancelled = [m for m in await uow.messages.list_scheduled_of_ticket(ticket_id) if m.cancel_if_replied]
    for message in cancelled:
        message.delete_for_everyone()
        message.error = "cancelled: the customer replied first"
        await uow.messages.save(message)
    return cancelled
