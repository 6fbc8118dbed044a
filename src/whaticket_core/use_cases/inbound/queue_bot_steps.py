"""The queue routing bot, a step of :class:`~whaticket_core.use_cases.inbound.receive_message.ReceiveMessage`.

It talks to a customer whose pending ticket has no queue yet, on a connection that has queues:

- one queue: the ticket joins it silently and the queue's greeting is sent;
- several: the connection's greeting and a numbered menu (``*1* - Sales``) are sent; a reply naming a number picks
  that queue (its greeting is sent); any other reply resends the menu, at most :data:`MAX_MENU_RESENDS` times in all.
  The menu is never sent twice within :data:`MENU_COOLDOWN`, so two bots (or a bot and an auto-reply) cannot loop.

``Ticket.bot_attempts`` counts the menu resends, ``Ticket.bot_menu_sent_at`` is when the menu last went out; both are
reset when the ticket gets a queue. Replies go out through the outbox like any other outbound message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import Message
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.whatsapp import WhatsApp
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.outbound_steps import render_greeting, store_outbound

MAX_MENU_RESENDS = 3
MENU_COOLDOWN = timedelta(seconds=30)


def bot_applies(ticket: Ticket, connection: WhatsApp, *, from_me: bool, is_group: bool) -> bool:
    """Only customers (not the company's phone, not groups) on an unassigned, queueless pending ticket."""
    return (
        not from_me
        and not is_group
        and ticket.status is TicketStatus.PENDING
        and ticket.user_id is None
        and ticket.queue_id is None
        and bool(connection.queue_ids)
    )


def menu_text(greeting: str, queues: list[Queue]) -> str:
    lines = [f"*{number}* - {queue.name}" for number, queue in enumerate(queues, start=1)]
    menu = "\n".join(lines)
    return f"{greeting}\n\n{menu}" if greeting.strip() else menu


def parse_choice(body: str, options: int) -> int | None:
    """The 0-based option a reply such as ``" 2 "`` picks, or None."""
    text = body.strip()
    if not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    return number - 1 if 1 <= number <= options else None


async def run_queue_bot(
    uow: UnitOfWork, ticket: Ticket, contact: Contact, connection: WhatsApp, body: str, now: datetime
) -> list[Message]:
    """Route ``ticket`` after the customer wrote ``body``; return the bot's stored (pending) replies.

    The caller has checked :func:`bot_applies`, saves the ticket, and delivers the replies after commit.
    """
    queues = await uow.queues.get_many(connection.queue_ids)
    if not queues:
        return []
    if len(queues) == 1:
        return await _join(uow, ticket, contact, queues[0], now)
    if ticket.bot_menu_sent_at is not None:
        choice = parse_choice(body, len(queues))
        if choice is not None:
            return await _join(uow, ticket, contact, queues[choice], now)
        if ticket.bot_attempts >= MAX_MENU_RESENDS:
            return []  # the customer waits for an agent
        if now - ticket.bot_menu_sent_at < MENU_COOLDOWN:
            return []
        ticket.bot_attempts += 1
    ticket.bot_menu_sent_at = now
    text = menu_text(render_greeting(connection.greeting_message, contact.name), queues)
    return [await store_outbound(uow, ticket, text, now)]


async def _join(uow: UnitOfWork, ticket: Ticket, contact: Contact, queue: Queue, now: datetime) -> list[Message]:
    ticket.assign_queue(queue.id, now)
    if not queue.greeting_message.strip():
        return []
    return [await store_outbound(uow, ticket, render_greeting(queue.greeting_message, contact.name), now)]
