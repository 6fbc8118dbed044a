from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from whaticket_core.domain.events import DomainEvent, MessageUpdated
from whaticket_core.domain.message import preview
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue, JobScheduler, ReleaseScheduledMessageJob
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.message_steps import ticket_of
from whaticket_core.use_cases.shared.outbox import commit_with, request_delivery
from whaticket_core.use_cases.shared.reporting import record_first_response
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of

# Timers fire to the second or so (SAQ schedules in whole seconds): a job this close to ``send_at`` is on time.
ON_TIME = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class ReleaseScheduledMessageCommand:
    message_id: int


class ReleaseScheduledMessage:
    """The job side of a scheduled message: at its ``send_at`` it joins the outbox and is delivered like any message.

    Rules: only a message still ``scheduled`` and not cancelled is released; anything else (cancelled, already
    released, unknown) is a no-op returning None, so a job run twice releases once. A job up to a second early is on
    time; one that runs earlier (a clock ahead of this one) schedules itself again for ``send_at`` (should that be
    refused as a twin of the running job, the sweeper releases the message once it is overdue). Released: ack
    ``pending`` (the message row locked meanwhile), it becomes the ticket's last message, counts as the ticket's first
    response if it is one, and its ``DeliverMessageJob`` is enqueued after commit; whatever the ticket's status by
    then (cancel it to stop it). Publishes ``ticket:updated`` and ``message:updated``.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue, scheduler: JobScheduler
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs
        self._scheduler = scheduler

    async def execute(self, command: ReleaseScheduledMessageCommand) -> MessageView | None:
        async with self._uow as uow:
            message = await uow.messages.get(command.message_id, for_update=True)
            if message is None or not message.is_scheduled or message.send_at is None:
                return None
            now = self._clock.now()
            if message.send_at - now > ON_TIME:
                await self._scheduler.schedule(ReleaseScheduledMessageJob(message.id), message.send_at)
                return None
            ticket = await ticket_of(uow, message, for_update=True)
            before = ticket.placement
            message.release()
            ticket.record_message(preview(message.body, message.media_type), now, unread=False)
            if message.user_id is not None:
                await record_first_response(uow, ticket, message.user_id, now)
            await uow.messages.save(message)
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            message_view = MessageView.of(message)
            changed: list[DomainEvent] = [*ticket_changed(view, before), MessageUpdated(message_view, view)]
            events = await commit_with(uow, changed)
        await request_delivery(self._jobs, message.id)
        await self._publisher.publish(events)
        return message_view
