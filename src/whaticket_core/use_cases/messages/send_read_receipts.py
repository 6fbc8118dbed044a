from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.ports.transport import MessageSender, TransportError
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.message_steps import recipient_of
from whaticket_core.use_cases.shared.retry import RetryLater


@dataclass(frozen=True, slots=True)
class SendReadReceiptsCommand:
    """Job input: tell WhatsApp the customer's messages ``wa_message_ids`` on ticket ``ticket_id`` were read."""

    ticket_id: int
    wa_message_ids: tuple[str, ...]


class SendReadReceipts:
    """The job behind reading a ticket: blue ticks for the customer.

    Rules: an unknown ticket or no ids is a no-op returning False. A retryable transport failure raises
    :class:`RetryLater`; a refusal is dropped (receipts are a courtesy, never worth failing anything for). Returns
    whether WhatsApp took the receipts. Nothing is stored, so nothing is published.
    """

    def __init__(self, uow: UnitOfWork, sender: MessageSender) -> None:
        self._uow = uow
        self._sender = sender

    async def execute(self, command: SendReadReceiptsCommand) -> bool:
        if not command.wa_message_ids:
            return False
        async with self._uow as uow:
            ticket = await uow.tickets.get(command.ticket_id)
            if ticket is None:
                return False
            chat = await recipient_of(uow, ticket)
        try:
            await self._sender.mark_read(ticket.whatsapp_id, chat, command.wa_message_ids)
        except TransportError as exc:
            if exc.retryable:
                raise RetryLater(exc.reason) from exc
            return False
        return True
