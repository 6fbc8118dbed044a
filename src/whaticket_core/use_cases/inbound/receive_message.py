from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from whaticket_core.domain.contact import MAX_NAME_LENGTH, Contact
from whaticket_core.domain.errors import InvalidInput, WhatsAppNotFound
from whaticket_core.domain.events import DomainEvent, MessageCreated, MessageUpdated, TicketCreated, TicketUpdated
from whaticket_core.domain.message import MediaType, Message, MessageAck, preview, validate_body
from whaticket_core.domain.numbers import normalize_group_id, normalize_lid, normalize_number
from whaticket_core.domain.read_models import MessageView, TicketView
from whaticket_core.domain.settings import GROUP_MESSAGES, TICKET_REOPEN_WINDOW_MINUTES
from whaticket_core.domain.ticket import Ticket, TicketPlacement, TicketStatus
from whaticket_core.domain.whatsapp import WhatsApp
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import DeliverMessageJob, DownloadMediaJob, Job, JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.inbound.identity_steps import Identity, ResolvedContact, resolve_contact
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.queue_bot_steps import bot_applies, run_queue_bot
from whaticket_core.use_cases.inbound.survey_steps import take_survey_answer
from whaticket_core.use_cases.messages.message_steps import ticket_of
from whaticket_core.use_cases.messages.scheduled_steps import cancel_on_reply
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.reporting import record_created
from whaticket_core.use_cases.shared.retry import retry_on_conflict
from whaticket_core.use_cases.shared.settings_reader import read_setting
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of


@dataclass(frozen=True, slots=True)
class ReceiveMessageResult:
    """Where the message went. ``duplicate``: it was already stored (a redelivery), the ids are the stored ones.
    ``ignored``: a group message while the ``groupMessages`` setting is ``ignore``; nothing was stored."""

    ticket_id: int | None
    message_id: int | None
    duplicate: bool = False
    ignored: bool = False


@dataclass(slots=True)
class _Outcome:
    result: ReceiveMessageResult
    events: list[DomainEvent] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)


class ReceiveMessage:
    """A message WhatsApp delivered (from a customer, a group, or the company's own phone) becomes part of a ticket.

    Rules:
    - Group messages are dropped while setting ``groupMessages`` is ``ignore`` (the default). With ``ticket``, the
      group is the contact (``is_group``) with one ticket, and each message records its ``participant``.
    - The sender is normalised (E.164 digits and/or LID digits; groups by group id) and the contact found, created
      or merged by the identity rule (:mod:`.identity_steps`): a customer known only by LID gets a contact with no
      number and a ticket like anyone else. A contact still named by its number (or LID) takes the push name.
    - Idempotent on (connection, WhatsApp message id): a redelivery stores nothing and returns the stored ids, except
      that an ``undecryptable`` placeholder is completed by the readable delivery of the same id (body and media set,
      ``undecryptable`` cleared, ``message:updated``), and that the echo (``from_me``) of a message this side sent
      whose send timed out (``failed``, ``errorKind`` ``unknown``) settles it as ``sent`` (``message:updated``).
    - Ticket: the contact's active one on this connection (locked, so concurrent deliveries never lose an unread
      count); else the last closed one, reopened as ``pending``, unassigned, queue kept, when it was closed less than
      ``ticketReopenWindowMinutes`` (default 120) ago; else a new ``pending`` ticket.
    - The satisfaction survey (see ``survey_steps``): while the last closed ticket awaits a rating and no ticket is
      active, the customer's next message ends it: exactly one digit 1-5 rates that ticket (stored on it, read, the
      ticket stays closed; recorded for reports); anything else is an ordinary message and goes on as below.
    - A customer's message cancels the ticket's scheduled messages marked ``cancel_if_replied`` (``message:updated``).
    - The message becomes the ticket's last message and counts as unread, except a ``from_me`` message (sent from
      the company's phone), which is stored on the same ticket as sent by this side.
    - A quoted WhatsApp id is resolved to the stored message when known; inbound media is recorded on the message and
      downloaded by a ``DownloadMediaJob`` enqueued after commit.
    - The queue routing bot (:mod:`.queue_bot`) answers customers on queueless pending tickets; its replies are
      stored pending and delivered by ``DeliverMessageJob``s after commit. It stays silent on placeholders, calls
      and backfilled (``history``) messages.
    - Two deliveries racing to create the same contact, ticket or message: the loser retries the whole transaction
      (``concurrent_update`` after a few losses).
    - After commit: ``ticket:created`` for a new ticket, else ``ticket:updated`` (with the previous placement when it
      was reopened or routed), then ``message:created`` for the message and each bot reply.

    Message times come from the clock, not from WhatsApp's timestamp: phones' clocks drift, and the ticket list and
    the edit window need one time line.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs

    async def execute(self, command: InboundMessage) -> ReceiveMessageResult:
        outcome = await retry_on_conflict(lambda: self._transaction(command))
        for job in outcome.jobs:
            await self._jobs.enqueue(job)
        if outcome.events:
            await self._publisher.publish(outcome.events)
        return outcome.result

    async def _transaction(self, command: InboundMessage) -> _Outcome:
        # The message is inserted unless its WhatsApp id is stored (no read first: redeliveries are rare); a
        # redelivery rolls the whole attempt back and is handled on the stored row in a transaction of its own.
        async with self._uow as uow:
            if command.is_group and await read_setting(uow, GROUP_MESSAGES) != "ticket":
                return _Outcome(ReceiveMessageResult(None, None, ignored=True))
            outcome = await self._store_new(uow, command)
        return outcome if outcome is not None else await self._redelivered(command)

    async def _store_new(self, uow: UnitOfWork, command: InboundMessage) -> _Outcome | None:
        """The message stored and committed, or None (nothing committed) when its WhatsApp id is already stored."""
        connection = await uow.whatsapps.get(command.whatsapp_id)
        if connection is None:
            raise WhatsAppNotFound(f"WhatsApp {command.whatsapp_id} not found", whatsapp_id=command.whatsapp_id)
        now = self._clock.now()
        resolved = await self._contact(uow, command, now)
        contact = resolved.contact
        # A contact created just now has no tickets: nothing to look up. An active ticket comes with its tags and
        # whether a reply cancels some of its scheduled messages (one read where the store allows).
        active = None
        if not resolved.created:
            active = await uow.tickets.get_active_for_inbound(contact.id, connection.id)
        last = None
        if not resolved.created and active is None:
            last = await uow.tickets.get_last_closed(contact.id, connection.id)
        rated, last = await take_survey_answer(uow, last, command, now)
        if rated is not None:
            ticket, created, before = rated, False, rated.placement
        else:
            active_ticket = active.ticket if active is not None else None
            ticket, created, before = await self._ticket(uow, contact, connection, now, active_ticket, last)
        # The message goes on the active ticket read above (not a reopened or rated one): its context is known.
        known = active if active is not None and ticket is active.ticket else None

        message = await self._new_message(uow, ticket, contact, command, now)
        if not await uow.messages.add_if_new(message):
            return None
        # A rating answer is stored on its closed ticket, read: nobody has to act on it.
        unread = not command.from_me and rated is None
        ticket.record_message(preview(message.body, message.media_type), now, unread=unread)
        bot_replies: list[Message] = []
        silent = command.undecryptable or command.history or message.media_type is MediaType.CALL
        if not silent and bot_applies(ticket, connection, from_me=command.from_me, is_group=command.is_group):
            bot_replies = await run_queue_bot(uow, ticket, contact, connection, command.body, now)
        replied = not command.from_me and not command.history  # a backfilled old message is no reply
        # A ticket created just now has no scheduled messages and no tags yet; the active one's were read with it.
        cancels = not created and (known is None or known.reply_cancels_scheduled)
        cancelled = await cancel_on_reply(uow, ticket.id) if replied and cancels else []
        await uow.tickets.save(ticket)
        tags = [] if created else known.tags if known is not None else await uow.tag_assignments.of_ticket(ticket.id)
        view = TicketView.of(ticket, contact, tags)
        events: list[DomainEvent] = list(resolved.events)
        events.extend(MessageUpdated(MessageView.of(m), view) for m in cancelled)
        events.extend([TicketCreated(view)] if created else ticket_changed(view, before))
        events.extend(MessageCreated(MessageView.of(m), view) for m in (message, *bot_replies))
        await commit_with(uow, events)

        jobs: list[Job] = [DeliverMessageJob(m.id) for m in bot_replies]
        if message.media_ref is not None:
            jobs.insert(0, DownloadMediaJob(message.id))
        return _Outcome(ReceiveMessageResult(ticket.id, message.id), events, jobs)

    async def _redelivered(self, command: InboundMessage) -> _Outcome:
        async with self._uow as uow:
            stored = await uow.messages.get_by_wa_id(command.whatsapp_id, command.wa_message_id, for_update=True)
            if stored is None:  # deleted (with its ticket) since the insert found it: start again
                raise StoreConflict(Constraint.MESSAGE_WA_ID, command.wa_message_id)
            if stored.undecryptable and not command.undecryptable:
                return await self._complete(uow, stored, command)
            if command.from_me and stored.reconcile(MessageAck.SENT):
                return await self._reconciled(uow, stored)
            return _Outcome(ReceiveMessageResult(stored.ticket_id, stored.id, duplicate=True))

    async def _contact(self, uow: UnitOfWork, command: InboundMessage, now: datetime) -> ResolvedContact:
        if command.is_group:
            identity = Identity(number=normalize_group_id(command.chat))
            name = command.group_name
        else:
            identity = identity_of(command.chat, command.lid)
            # On a message from the company's phone the push name is the company's own.
            name = None if command.from_me else command.push_name
        return await resolve_contact(uow, identity, now, name=_clean_name(name), is_group=command.is_group)

    async def _reconciled(self, uow: UnitOfWork, message: Message) -> _Outcome:
        """The echo of a send whose outcome was unknown: WhatsApp has it, so it is ``sent`` after all."""
        await uow.messages.save(message)
        view = await view_of(uow, await ticket_of(uow, message))
        events: list[DomainEvent] = [MessageUpdated(MessageView.of(message), view)]
        await commit_with(uow, events)
        return _Outcome(ReceiveMessageResult(message.ticket_id, message.id, duplicate=True), events)

    async def _complete(self, uow: UnitOfWork, message: Message, command: InboundMessage) -> _Outcome:
        """The readable delivery of a placeholder: the stored row takes its content (the row keeps its place)."""
        media = command.media
        message.body = validate_body(command.body)
        message.undecryptable = False
        if media is not None:
            message.media_type = media.media_type
            message.media_mime = media.mime_type
            message.media_name = media.file_name
            message.media_ref = media.media_ref
        if command.quoted_wa_message_id:
            quoted = await uow.messages.get_by_wa_id(command.whatsapp_id, command.quoted_wa_message_id)
            message.quoted_message_id = quoted.id if quoted is not None else None
        await uow.messages.save(message)
        ticket = await ticket_of(uow, message, for_update=True)
        # The placeholder is still the ticket's last message: the list shows its content now.
        last = ticket.last_message_at == message.created_at
        if last:
            ticket.last_message = preview(message.body, message.media_type)
            await uow.tickets.save(ticket)
        view = await view_of(uow, ticket)
        events: list[DomainEvent] = [TicketUpdated(view)] if last else []
        events.append(MessageUpdated(MessageView.of(message), view))
        await commit_with(uow, events)
        jobs: list[Job] = [DownloadMediaJob(message.id)] if message.media_ref is not None else []
        return _Outcome(ReceiveMessageResult(ticket.id, message.id), events, jobs)

    async def _ticket(
        self,
        uow: UnitOfWork,
        contact: Contact,
        connection: WhatsApp,
        now: datetime,
        active: Ticket | None,
        last: Ticket | None,
    ) -> tuple[Ticket, bool, TicketPlacement]:
        """The ticket to store on, whether it is new, and its placement before this message. ``active`` is the
        contact's active ticket on the connection (locked), else ``last`` its last closed one, as the caller read
        them."""
        if active is not None:
            return active, False, active.placement
        if last is not None and last.closed_at is not None:
            window = timedelta(minutes=int(await read_setting(uow, TICKET_REOPEN_WINDOW_MINUTES)))
            if now - last.closed_at < window:
                before = last.placement
                last.reopen_by_customer(now)
                await uow.tickets.save(last)
                return last, False, before
        ticket = Ticket(
            contact_id=contact.id,
            whatsapp_id=connection.id,
            status=TicketStatus.PENDING,
            created_at=now,
            updated_at=now,
            is_group=contact.is_group,
        )
        await uow.tickets.add(ticket)
        await record_created(uow, ticket, now)
        return ticket, True, ticket.placement

    async def _new_message(
        self, uow: UnitOfWork, ticket: Ticket, contact: Contact, command: InboundMessage, now: datetime
    ) -> Message:
        """The message to store (not stored yet)."""
        quoted_id = None
        if command.quoted_wa_message_id:
            quoted = await uow.messages.get_by_wa_id(command.whatsapp_id, command.quoted_wa_message_id)
            quoted_id = quoted.id if quoted is not None else None
        media = command.media
        participant = None
        if command.is_group and command.participant:
            participant = _participant_number(command.participant)
        message = Message(
            ticket_id=ticket.id,
            contact_id=contact.id,
            whatsapp_id=command.whatsapp_id,
            from_me=command.from_me,
            body=validate_body(command.body),
            # A message of the company's phone has reached WhatsApp (sent); a customer's has reached us.
            ack=MessageAck.SENT if command.from_me else MessageAck.DELIVERED,
            created_at=now,
            wa_message_id=command.wa_message_id,
            media_type=media.media_type if media else None,
            media_mime=media.mime_type if media else None,
            media_name=media.file_name if media else None,
            media_ref=media.media_ref if media else None,
            quoted_message_id=quoted_id,
            participant=participant,
            participant_name=_clean_name(command.participant_name) if command.is_group else None,
            undecryptable=command.undecryptable,
        )
        return message


def _clean_name(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(name.split())[:MAX_NAME_LENGTH]
    return cleaned or None


def _participant_number(raw: str) -> str:
    """A group member as a number, or as ``<lid>@lid`` when WhatsApp hides their number."""
    text = raw.strip()
    if text.endswith("@lid"):
        try:
            return f"{normalize_lid(text)}@lid"
        except InvalidInput:
            return text
    try:
        return normalize_number(text)
    except InvalidInput:
        return text


def identity_of(number: str | None, lid: str | None) -> Identity:
    """A customer's identity from what WhatsApp gave: a number, a LID, or both (``InvalidInput`` when neither)."""
    normalized = normalize_lid(lid) if lid else None
    if number and number.strip():
        return Identity(number=normalize_number(number), lid=normalized)
    if normalized is None:
        raise InvalidInput("a sender needs a number or a LID", "from")
    return Identity(lid=normalized)
