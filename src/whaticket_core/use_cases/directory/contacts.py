"""Contacts: anyone signed in manages them; deleting one that has tickets is for admins."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from whaticket_core.domain.contact import Contact, ExtraInfo, validate_name
from whaticket_core.domain.errors import ActionForbidden, ContactExists, ContactNotFound, InvalidInput
from whaticket_core.domain.numbers import normalize_number
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.tag import TagView
from whaticket_core.domain.user import Role, normalize_email
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.queries import ContactQueries
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.unset import UNSET, Unset

audit = logging.getLogger("whaticket.audit")

MAX_EXTRA_INFO = 50


def _email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return normalize_email(email)


def _extra_info(items: tuple[ExtraInfo, ...]) -> list[ExtraInfo]:
    if len(items) > MAX_EXTRA_INFO:
        raise InvalidInput(f"Extra info holds at most {MAX_EXTRA_INFO} entries", "extra_info")
    return [ExtraInfo(validate_name(i.name, "extra_info"), i.value) for i in items]


async def _load(uow: UnitOfWork, contact_id: int) -> Contact:
    """The contact with its tags."""
    contact = await uow.contacts.get(contact_id)
    if contact is None:
        raise ContactNotFound(f"Contact {contact_id} not found", contact_id=contact_id)
    contact.tags = tuple(TagView.of(t) for t in await uow.tag_assignments.of_contact(contact_id))
    return contact


async def _exists_error(uow: UnitOfWork, number: str) -> ContactExists:
    """After the store refused a duplicate number (a racing writer won), name the winner in a fresh transaction."""
    async with uow:
        other = await uow.contacts.get_by_number(number)
    return _exists(number, other.id if other is not None else None)


def _exists(number: str, contact_id: int | None) -> ContactExists:
    if contact_id is None:
        return ContactExists(f"A contact with number {number} exists", number=number)
    return ContactExists(f"Contact {contact_id} has number {number}", contact_id=contact_id, number=number)


@dataclass(frozen=True, slots=True)
class CreateContactCommand:
    actor: Viewer
    name: str
    number: str
    email: str | None = None
    extra_info: tuple[ExtraInfo, ...] = ()


class CreateContact:
    """Rules: name 1..200; the number is normalised to E.164 digits (``validation_error`` when it is not a number);
    a second contact with that number is ``contact_exists`` with ``details.contactId``."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CreateContactCommand) -> Contact:
        name = validate_name(command.name)
        number = normalize_number(command.number)
        contact = Contact(
            name, number, self._clock.now(), email=_email(command.email), extra_info=_extra_info(command.extra_info)
        )
        try:
            async with self._uow as uow:
                other = await uow.contacts.get_by_number(number)
                if other is not None:
                    raise _exists(number, other.id)
                await uow.contacts.add(contact)
                await uow.commit()
        except StoreConflict as exc:
            errors = {Constraint.CONTACT_NUMBER: lambda: _exists_error(self._uow, number)}
            raise await explain_conflict(exc, errors) from None
        return contact


@dataclass(frozen=True, slots=True)
class UpdateContactCommand:
    """None (UNSET for ``email``, which may be cleared with None) means absent."""

    actor: Viewer
    contact_id: int
    name: str | None = None
    number: str | None = None
    email: str | Unset | None = UNSET
    extra_info: tuple[ExtraInfo, ...] | None = None


class UpdateContact:
    """A partial update with the create rules (``contact_exists`` when the new number belongs to another contact).

    A new number redirects every reply on the contact's tickets, so only staff may change it, or an agent who sees
    every active ticket of the contact (else ``forbidden``: an agent must not redirect another queue's replies).
    Each number change is logged on ``whaticket.audit`` with the contact, the actor and both numbers.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateContactCommand) -> Contact:
        name = None if command.name is None else validate_name(command.name)
        number = None if command.number is None else normalize_number(command.number)
        extra = None if command.extra_info is None else _extra_info(command.extra_info)
        email = UNSET if isinstance(command.email, Unset) else _email(command.email)
        try:
            async with self._uow as uow:
                contact = await _load(uow, command.contact_id)
                if name is not None:
                    contact.name = name
                old_number = contact.number
                if number is not None and number != contact.number:
                    await _require_all_active_tickets_visible(uow, command.actor, contact.id)
                    other = await uow.contacts.get_by_number(number)
                    if other is not None:
                        raise _exists(number, other.id)
                    contact.number = number
                if not isinstance(email, Unset):
                    contact.email = email
                if extra is not None:
                    contact.extra_info = extra
                await uow.contacts.save(contact)
                await uow.commit()
        except StoreConflict as exc:
            errors = {} if number is None else {Constraint.CONTACT_NUMBER: lambda: _exists_error(self._uow, number)}
            raise await explain_conflict(exc, errors) from None
        if contact.number != old_number:
            audit.info(
                "contact %s number changed from %s to %s by user %s",
                contact.id,
                old_number,
                contact.number,
                command.actor.user_id,
            )
        return contact


async def _require_all_active_tickets_visible(uow: UnitOfWork, actor: Viewer, contact_id: int) -> None:
    if actor.is_staff:
        return
    for ticket in await uow.tickets.list_active_of_contact(contact_id):
        if not can_see(actor, ticket.placement):
            raise ActionForbidden("Only staff may change the number of a contact with tickets you cannot see")


@dataclass(frozen=True, slots=True)
class DeleteContactCommand:
    actor: Viewer
    contact_id: int


class DeleteContact:
    """Delete a contact (its tickets and messages go with it). A contact that has tickets may be deleted only by an
    admin (``forbidden`` otherwise)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: DeleteContactCommand) -> None:
        async with self._uow as uow:
            contact = await _load(uow, command.contact_id)
            if command.actor.role is not Role.ADMIN and await uow.tickets.contact_has_tickets(contact.id):
                raise ActionForbidden("Only an admin may delete a contact that has tickets", contact_id=contact.id)
            await uow.contacts.delete(contact.id)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class GetContactCommand:
    actor: Viewer
    contact_id: int


class GetContact:
    """One contact with its tags; ``contact_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetContactCommand) -> Contact:
        async with self._uow as uow:
            return await _load(uow, command.contact_id)


@dataclass(frozen=True, slots=True)
class ListContactsCommand:
    actor: Viewer
    query: OffsetQuery = field(default_factory=OffsetQuery)


class ListContacts:
    """An offset page of contacts (with their tags), by id; ``search`` matches name, number, email or LID. Anyone
    signed in sees every contact. A read port, not the unit of work: one statement outside any transaction (and one
    for the page's tags)."""

    def __init__(self, contacts: ContactQueries) -> None:
        self._contacts = contacts

    async def execute(self, command: ListContactsCommand) -> OffsetPage[Contact]:
        return await self._contacts.list_contacts(command.query)
