"""One person, one contact, whatever WhatsApp calls them: the identity rule shared by
:class:`~whaticket_core.use_cases.inbound.receive_message.ReceiveMessage` (a message naming the sender both ways) and
:class:`~whaticket_core.use_cases.inbound.link_contact_identity.LinkContactIdentity` (WhatsApp revealed a mapping).

WhatsApp names a person by phone number or by LID (a hidden-number user id). Until it reveals that both name the same
person, each arrives as its own contact. When it does:

- Neither is known: one contact with both.
- One is known: it gains the other identifier (``contact:updated``).
- Both are known as two contacts: they become one (``contact:merged`` then ``contact:updated``):

  - the **survivor** is the contact holding the number (agents search and call by it; it keeps its id); it takes the
    LID, and the other's name when its own is still a placeholder (its number), its email, picture and extra fields
    when it has none;
  - every ticket and every message of the absorbed contact moves to the survivor;
  - when both have an active ticket on the same connection (one active ticket per contact and connection), the one
    kept is the ``open`` one (an agent is on it) over a ``pending`` one, else the older one (lower id); the other's
    messages move into it, their unread counts add up, its last message is the later of the two, and the emptied
    ticket is closed (kept for the record, with no messages);
  - the absorbed contact is deleted.

Every step runs in the caller's transaction, so a merge is all or nothing. Contact rows are read ``for_update``:
racing deliveries and merges for one person queue on them, and a lost insert race (``contact_number``,
``contact_lid``) is retried by the caller from scratch, where it finds the winner's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.events import ContactMerged, ContactUpdated, DomainEvent, TicketClosed, TicketUpdated
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.tag import TagView
from whaticket_core.domain.ticket import Ticket, TicketPlacement, TicketStatus
from whaticket_core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Identity:
    """What WhatsApp said about one person: normalised number and/or LID digits (at least one)."""

    number: str | None = None
    lid: str | None = None


@dataclass(slots=True)
class ResolvedContact:
    contact: Contact
    created: bool = False
    # Events to publish after commit (identity changes and ticket moves), in order.
    events: list[DomainEvent] = field(default_factory=list)


async def resolve_contact(
    uow: UnitOfWork, identity: Identity, now: datetime, *, name: str | None = None, is_group: bool = False
) -> ResolvedContact:
    """The contact of ``identity``, found, completed, merged or created (see the module's rules).

    ``name`` (a push name) names a new contact and replaces a placeholder name of an existing one.
    """
    if identity.number is None and identity.lid is None:
        raise ValueError("an identity needs a number or a LID")
    by_number = await uow.contacts.get_by_number(identity.number, for_update=True) if identity.number else None
    by_lid = await uow.contacts.get_by_lid(identity.lid, for_update=True) if identity.lid else None

    if by_number is None and by_lid is None:
        contact = Contact(
            name=name or identity.number or identity.lid or "",
            number=identity.number,
            lid=identity.lid,
            created_at=now,
            is_group=is_group,
        )
        await uow.contacts.add(contact)
        return ResolvedContact(contact, created=True)

    events: list[DomainEvent] = []
    merged = False
    if by_number is not None and by_lid is not None and by_number.id != by_lid.id:
        contact = await _merge(uow, by_number, by_lid, now, events)
        merged = True
    elif by_number is not None:
        contact = by_number
    else:
        assert by_lid is not None  # one of the two was found (checked above)
        contact = by_lid
    changed = merged
    # WhatsApp's latest word wins: a LID keeps its person across number changes.
    if identity.number is not None and contact.number != identity.number:
        contact.number, changed = identity.number, True
    if identity.lid is not None and contact.lid != identity.lid:
        contact.lid, changed = identity.lid, True
    if name and contact.has_placeholder_name and contact.name != name:
        contact.name, changed = name, True
    if changed:
        await uow.contacts.save(contact)
        contact.tags = tuple(TagView.of(t) for t in await uow.tag_assignments.of_contact(contact.id))
        events.append(ContactUpdated(contact, await _views(uow, contact)))
    return ResolvedContact(contact, events=events)


async def _merge(uow: UnitOfWork, keep: Contact, absorb: Contact, now: datetime, events: list[DomainEvent]) -> Contact:
    kept_tickets = await uow.tickets.list_of_contact(keep.id, for_update=True)
    active_kept = {t.whatsapp_id: t for t in kept_tickets if t.is_active}
    changes: list[tuple[Ticket, TicketPlacement]] = []
    for ticket in await uow.tickets.list_of_contact(absorb.id, for_update=True):
        other = active_kept.get(ticket.whatsapp_id) if ticket.is_active else None
        if other is None:
            changes.append((ticket, ticket.placement))
            ticket.contact_id = keep.id
            await uow.tickets.save(ticket)
            continue
        winner, loser = (ticket, other) if _kept_first(ticket, other) else (other, ticket)
        changes.extend([(winner, winner.placement), (loser, loser.placement)])
        await _fold(uow, winner, loser, now)
        # The loser is closed before the winner moves, so the store never holds two active tickets for one contact.
        loser.contact_id = keep.id
        await uow.tickets.save(loser)
        winner.contact_id = keep.id
        await uow.tickets.save(winner)
    await uow.messages.reassign_contact(absorb.id, keep.id)

    if keep.has_placeholder_name and not absorb.has_placeholder_name:
        keep.name = absorb.name
    keep.email = keep.email or absorb.email
    keep.profile_pic_url = keep.profile_pic_url or absorb.profile_pic_url
    keep.extra_info = keep.extra_info or absorb.extra_info
    keep.lid = keep.lid or absorb.lid
    absorbed_tags = await uow.tag_assignments.of_contact(absorb.id)
    if absorbed_tags:
        kept_tags = await uow.tag_assignments.of_contact(keep.id)
        await uow.tag_assignments.set_for_contact(keep.id, sorted({t.id for t in (*kept_tags, *absorbed_tags)}))
    # The absorbed row goes first: its LID is unique and moves to the survivor.
    await uow.contacts.delete(absorb.id)
    await uow.contacts.save(keep)
    events.append(ContactMerged(absorb.id, keep.id, await _views(uow, keep)))
    for ticket, before in changes:
        view = TicketView.of(ticket, keep, await uow.tag_assignments.of_ticket(ticket.id))
        moved = before != ticket.placement
        events.append(TicketUpdated(view, before if moved else None))
        if ticket.status is TicketStatus.CLOSED and before.status is not TicketStatus.CLOSED:
            events.append(TicketClosed(view))
    return keep


def _kept_first(a: Ticket, b: Ticket) -> bool:
    """Whether ``a`` is kept over ``b`` when both are active: ``open`` beats ``pending``, then the older one."""
    rank_a = (a.status is not TicketStatus.OPEN, a.id)
    rank_b = (b.status is not TicketStatus.OPEN, b.id)
    return rank_a < rank_b


async def _fold(uow: UnitOfWork, winner: Ticket, loser: Ticket, now: datetime) -> None:
    """``loser``'s messages and unread count go to ``winner``; ``loser`` is closed, empty."""
    await uow.messages.move_to_ticket(loser.id, winner.id)
    winner.unread_messages += loser.unread_messages
    if loser.last_message_at is not None and (
        winner.last_message_at is None or loser.last_message_at > winner.last_message_at
    ):
        winner.last_message = loser.last_message
        winner.last_message_at = loser.last_message_at
    winner.updated_at = max(winner.updated_at, now)
    loser.unread_messages = 0
    loser.close(now)


async def _views(uow: UnitOfWork, contact: Contact) -> tuple[TicketView, ...]:
    return tuple(
        [
            TicketView.of(t, contact, await uow.tag_assignments.of_ticket(t.id))
            for t in await uow.tickets.list_of_contact(contact.id)
        ]
    )
