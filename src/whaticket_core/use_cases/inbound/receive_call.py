from __future__ import annotations

from whaticket_core.domain.errors import WhatsAppNotFound
from whaticket_core.domain.events import DomainEvent, MessageCreated
from whaticket_core.domain.message import MediaType
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import DeliverMessageJob, JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import CallRejecter, Recipient, TransportError
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundCall, InboundMedia, InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage, ReceiveMessageResult, identity_of
from whaticket_core.use_cases.messages.outbound_steps import render_greeting, store_outbound
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of

MISSED_CALL = "Missed voice call"
REJECTED_CALL = "Rejected voice call"


class ReceiveCall:
    """A customer calls the company's WhatsApp number; nobody answers calls in a helpdesk, so the call is recorded.

    Rules:
    - When the connection's ``reject_calls`` is set, the call is declined on WhatsApp first (no transaction is open
      while WhatsApp answers). A failed decline is recorded as missed.
    - Either way the call becomes a message in the customer's ticket, through :class:`ReceiveMessage` (same contact,
      ticket and identity rules, idempotent on the call id): ``media_type`` ``call``, body ``Rejected voice call``
      or ``Missed voice call``. The routing bot does not answer a call.
    - After a decline, the connection's ``call_reject_message`` (``{{name}}`` is the customer's name), when set, is
      stored on that ticket as an outbound message and delivered by a ``DeliverMessageJob``, like an agent's. A
      redelivered call offer stores and sends nothing more.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        publisher: EventPublisher,
        jobs: JobQueue,
        rejecter: CallRejecter,
        receive_message: ReceiveMessage,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs
        self._rejecter = rejecter
        self._receive = receive_message

    async def execute(self, command: InboundCall) -> ReceiveMessageResult:
        identity = identity_of(command.caller, command.lid)
        async with self._uow as uow:
            connection = await uow.whatsapps.get(command.whatsapp_id)
        if connection is None:
            raise WhatsAppNotFound(f"WhatsApp {command.whatsapp_id} not found", whatsapp_id=command.whatsapp_id)
        rejected = False
        if connection.reject_calls:
            address = command.caller_address or identity.number or f"{identity.lid}@lid"
            try:
                await self._rejecter.reject_call(command.whatsapp_id, Recipient(address), command.call_id)
                rejected = True
            except TransportError:
                rejected = False
        result = await self._receive.execute(
            InboundMessage(
                whatsapp_id=command.whatsapp_id,
                wa_message_id=f"call:{command.call_id}",
                chat=identity.number or "",
                lid=identity.lid,
                body=REJECTED_CALL if rejected else MISSED_CALL,
                push_name=command.push_name,
                media=InboundMedia(MediaType.CALL, "text/plain"),
            )
        )
        reply = connection.call_reject_message.strip()
        if rejected and reply and not result.duplicate and result.ticket_id is not None:
            await self._answer(result.ticket_id, reply)
        return result

    async def _answer(self, ticket_id: int, template: str) -> None:
        async with self._uow as uow:
            ticket = await uow.tickets.get(ticket_id, for_update=True)
            if ticket is None or not ticket.is_active:
                return
            contact = await uow.contacts.get(ticket.contact_id)
            name = contact.name if contact is not None else ""
            before = ticket.placement
            message = await store_outbound(uow, ticket, render_greeting(template, name), self._clock.now())
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events: list[DomainEvent] = list(ticket_changed(view, before))
            events.append(MessageCreated(MessageView.of(message), view))
            await commit_with(uow, events)
        await self._jobs.enqueue(DeliverMessageJob(message.id))
        await self._publisher.publish(events)
