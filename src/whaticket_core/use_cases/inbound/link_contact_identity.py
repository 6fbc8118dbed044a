from __future__ import annotations

from dataclasses import dataclass, field

from whaticket_core.domain.events import DomainEvent
from whaticket_core.domain.numbers import normalize_lid, normalize_number
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.identity_steps import Identity, resolve_contact
from whaticket_core.use_cases.inbound.inbound_commands import InboundIdentity
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.retry import retry_on_conflict


@dataclass(slots=True)
class _Outcome:
    contact_id: int | None
    events: list[DomainEvent] = field(default_factory=list)


class LinkContactIdentity:
    """WhatsApp revealed that a LID and a phone number are one person: their contacts become one.

    Rules (the identity rule itself is :mod:`.identity_steps`):
    - Only people the helpdesk knows are touched: when no contact has that number or that LID, nothing is created
      and the result is None (WhatsApp reveals mappings for every chat the phone has, not only customers').
    - One contact has one of them: it gains the other (``contact:updated``). Two contacts: merged into the one with
      the number, tickets and messages kept, one active ticket per connection (``contact:merged``,
      ``contact:updated``, and ``ticket:updated``/``ticket:closed`` for the tickets that moved). Already one: no-op.
    - One transaction; a lost race with a delivery for the same person is retried from scratch (``concurrent_update``
      after a few losses). Returns the surviving contact's id.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: InboundIdentity) -> int | None:
        number, lid = normalize_number(command.number), normalize_lid(command.lid)
        outcome = await retry_on_conflict(lambda: self._transaction(number, lid))
        if outcome.events:
            await self._publisher.publish(outcome.events)
        return outcome.contact_id

    async def _transaction(self, number: str, lid: str) -> _Outcome:
        async with self._uow as uow:
            known = await uow.contacts.get_by_number(number) or await uow.contacts.get_by_lid(lid)
            if known is None:
                return _Outcome(None)
            resolved = await resolve_contact(uow, Identity(number=number, lid=lid), self._clock.now())
            await commit_with(uow, resolved.events)
        return _Outcome(resolved.contact.id, resolved.events)
