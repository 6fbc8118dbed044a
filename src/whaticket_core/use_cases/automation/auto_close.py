from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from whaticket_core.domain.events import DomainEvent, MessageCreated
from whaticket_core.domain.message import Message
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.settings import AUTO_CLOSE_MINUTES, AUTO_CLOSE_WARNING, AUTO_CLOSE_WARNING_MINUTES
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.repositories import IdleClaim
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.outbound_steps import render_greeting, store_outbound
from whaticket_core.use_cases.shared.outbox import commit_with, request_delivery
from whaticket_core.use_cases.shared.reporting import record_closed
from whaticket_core.use_cases.shared.settings_reader import read_setting
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import send_farewell

DEFAULT_BATCH = 50


@dataclass(frozen=True, slots=True)
class AutoCloseIdleTicketsCommand:
    batch: int = DEFAULT_BATCH


@dataclass(frozen=True, slots=True)
class AutoCloseIdleTicketsResult:
    warned: int = 0
    closed: int = 0


@dataclass(frozen=True, slots=True)
class _Policy:
    close_after: timedelta
    warn_after: timedelta | None  # None: no warning
    warning: str

    @property
    def warning_lead(self) -> timedelta:
        return self.close_after - self.warn_after if self.warn_after is not None else timedelta(0)


class AutoCloseIdleTickets:
    """Close ``pending`` and ``open`` tickets whose customer has gone silent; warn them first. Run periodically by a
    scheduler job, by any number of workers at once.

    Rules:
    - Setting ``autoCloseMinutes`` (0, the default: off) is how long the customer may stay silent. Silence runs from
      their last message, or from when the ticket was created or reopened (``Ticket.idle_since``); messages of the
      company's side do not reset it.
    - When ``autoCloseWarning`` is not blank and ``autoCloseWarningMinutes`` is between 1 and ``autoCloseMinutes``
      minus one, the warning (``{{name}}`` rendered) is sent that many minutes before the close, once per silence
      (``Ticket.close_warned_at``). The close then waits until the warning has been out that long, so a customer
      always gets the announced time even after the scheduler was down.
    - Closing sends the connection's farewell, like an agent's close, and is recorded for reports (resolution time).
      No satisfaction question: the customer had gone silent, asking them to rate the silence would be noise.
    - Tickets are claimed in batches (``batch``), longest silent first, each batch in one transaction; a ticket
      another worker holds is skipped, so each is warned and closed once whatever the number of workers. A customer
      writing meanwhile waits for the claim's commit and then reopens or continues the ticket as usual.
    - After each commit: ``ticket:updated`` (and ``ticket:closed``) per ticket, ``message:created`` per message sent;
      deliveries are enqueued.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs

    async def execute(self, command: AutoCloseIdleTicketsCommand) -> AutoCloseIdleTicketsResult:
        policy = await self._policy()
        if policy is None:
            return AutoCloseIdleTicketsResult()
        warned = closed = 0
        if policy.warn_after is not None:
            while (done := await self._warn_batch(policy, command.batch)) > 0:
                warned += done
                if done < command.batch:
                    break
        while (done := await self._close_batch(policy, command.batch)) > 0:
            closed += done
            if done < command.batch:
                break
        return AutoCloseIdleTicketsResult(warned, closed)

    async def _policy(self) -> _Policy | None:
        async with self._uow as uow:
            minutes = int(await read_setting(uow, AUTO_CLOSE_MINUTES))
            warn_minutes = int(await read_setting(uow, AUTO_CLOSE_WARNING_MINUTES))
            warning = await read_setting(uow, AUTO_CLOSE_WARNING)
        if minutes <= 0:
            return None
        warns = bool(warning.strip()) and 0 < warn_minutes < minutes
        warn_after = timedelta(minutes=minutes - warn_minutes) if warns else None
        return _Policy(timedelta(minutes=minutes), warn_after, warning)

    async def _warn_batch(self, policy: _Policy, batch: int) -> int:
        assert policy.warn_after is not None
        now = self._clock.now()
        events: list[DomainEvent] = []
        sent: list[Message] = []
        async with self._uow as uow:
            tickets = await uow.tickets.claim_idle(IdleClaim(now - policy.warn_after, batch, warned=False))
            for ticket in tickets:
                before = ticket.placement
                contact = await uow.contacts.get(ticket.contact_id)
                text = render_greeting(policy.warning, contact.name if contact is not None else "")
                message = await store_outbound(uow, ticket, text, now)
                ticket.close_warned_at = now
                await uow.tickets.save(ticket)
                view = await view_of(uow, ticket)
                events.extend(ticket_changed(view, before))
                events.append(MessageCreated(MessageView.of(message), view))
                sent.append(message)
            await commit_with(uow, events)
        await self._after_commit(events, sent)
        return len(tickets)

    async def _close_batch(self, policy: _Policy, batch: int) -> int:
        now = self._clock.now()
        claim = self._close_claim(policy, now, batch)
        events: list[DomainEvent] = []
        sent: list[Message] = []
        async with self._uow as uow:
            tickets = await uow.tickets.claim_idle(claim)
            for ticket in tickets:
                before = ticket.placement
                ticket.close(now)
                await record_closed(uow, ticket, now)
                farewell = await send_farewell(uow, ticket, now)
                await uow.tickets.save(ticket)
                view = await view_of(uow, ticket)
                events.extend(ticket_changed(view, before))
                if farewell is not None:
                    events.append(MessageCreated(MessageView.of(farewell), view))
                    sent.append(farewell)
            await commit_with(uow, events)
        await self._after_commit(events, sent)
        return len(tickets)

    @staticmethod
    def _close_claim(policy: _Policy, now: datetime, batch: int) -> IdleClaim:
        if policy.warn_after is None:
            return IdleClaim(now - policy.close_after, batch)
        return IdleClaim(now - policy.close_after, batch, warned=True, warned_before=now - policy.warning_lead)

    async def _after_commit(self, events: list[DomainEvent], sent: list[Message]) -> None:
        for message in sent:
            await request_delivery(self._jobs, message.id)
        if events:
            await self._publisher.publish(events)
