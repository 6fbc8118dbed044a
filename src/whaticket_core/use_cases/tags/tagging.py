"""Putting tags on tickets and contacts, and counting tickets per tag."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.errors import ContactNotFound, InvalidInput, TagNotFound
from whaticket_core.domain.events import ContactUpdated, TicketUpdated
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.tag import MAX_TAGS_PER_ITEM, TagCount, TagView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.queries import TagCounter, TicketListQuery
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, view_of


async def _require_tags(uow: UnitOfWork, tag_ids: tuple[int, ...]) -> list[int]:
    """The ids, deduplicated in order; ``tag_not_found`` naming the first id that names no tag."""
    wanted = list(dict.fromkeys(tag_ids))
    if len(wanted) > MAX_TAGS_PER_ITEM:
        raise InvalidInput(f"at most {MAX_TAGS_PER_ITEM} tags", "tag_ids")
    found = {t.id for t in await uow.tags.get_many(wanted)}
    for tag_id in wanted:
        if tag_id not in found:
            raise TagNotFound(f"Tag {tag_id} not found", tag_id=tag_id)
    return wanted


@dataclass(frozen=True, slots=True)
class SetTicketTagsCommand:
    ticket_id: int
    actor: Viewer
    tag_ids: tuple[int, ...]


class SetTicketTags:
    """Replace the ticket's tags with ``tag_ids`` (an empty list clears them).

    Rules: the actor must see the ticket (else ``ticket_not_found``), whatever its status; every id must name a tag
    (``tag_not_found``); at most 50. Publishes ``ticket:updated`` with the new tags.
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: SetTicketTagsCommand) -> TicketView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            await uow.tag_assignments.set_for_ticket(ticket.id, await _require_tags(uow, command.tag_ids))
            view = await view_of(uow, ticket)
            events = await commit_with(uow, [TicketUpdated(view)])
        await self._publisher.publish(events)
        return view


@dataclass(frozen=True, slots=True)
class SetContactTagsCommand:
    contact_id: int
    actor: Viewer
    tag_ids: tuple[int, ...]


class SetContactTags:
    """Replace the contact's tags with ``tag_ids``. Anyone signed in manages contacts, so anyone may tag one.

    Rules: ``contact_not_found`` for an unknown contact; every id must name a tag (``tag_not_found``); at most 50.
    Publishes ``contact:updated`` (to the staff and to whoever sees one of the contact's tickets).
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: SetContactTagsCommand) -> Contact:
        async with self._uow as uow:
            contact = await uow.contacts.get(command.contact_id)
            if contact is None:
                raise ContactNotFound(f"Contact {command.contact_id} not found", contact_id=command.contact_id)
            await uow.tag_assignments.set_for_contact(contact.id, await _require_tags(uow, command.tag_ids))
            contact.tags = tuple(TagView.of(t) for t in await uow.tag_assignments.of_contact(contact.id))
            # Every ticket of the contact: the gateway routes the event to whoever sees one of them.
            tickets = tuple([await view_of(uow, t) for t in await uow.tickets.list_of_contact(contact.id)])
            events = await commit_with(uow, [ContactUpdated(contact, tickets)])
        await self._publisher.publish(events)
        return contact


@dataclass(frozen=True, slots=True)
class CountTicketsByTagCommand:
    actor: Viewer
    status: TicketStatus | None = None
    queue_ids: frozenset[int] | None = None
    user_id: int | None = None
    unread_only: bool = False


class CountTicketsByTag:
    """Per tag, how many of the tickets the actor may see (with the ticket list's filters) carry it: the numbers a
    board shows. Tags no visible ticket carries are left out."""

    def __init__(self, counter: TagCounter) -> None:
        self._counter = counter

    async def execute(self, command: CountTicketsByTagCommand) -> list[TagCount]:
        return await self._counter.count_by_tag(
            TicketListQuery(
                viewer=command.actor,
                status=command.status,
                queue_ids=command.queue_ids,
                user_id=command.user_id,
                unread_only=command.unread_only,
            )
        )
