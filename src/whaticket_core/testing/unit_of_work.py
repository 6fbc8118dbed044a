from __future__ import annotations

import copy
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

from ..domain.auth import RefreshToken
from ..domain.contact import Contact
from ..domain.message import Message, MessageAck
from ..domain.pagination import OffsetPage, OffsetQuery
from ..domain.queue import Queue
from ..domain.quick_answer import QuickAnswer
from ..domain.ticket import Ticket
from ..domain.user import Role, User
from ..domain.whatsapp import WhatsApp
from ..ports.unit_of_work import StoreConflict
from .store import InMemoryStore, StoreState

T = TypeVar("T")


def _page(items: list[T], query: OffsetQuery) -> OffsetPage[T]:
    return OffsetPage(
        items=copy.deepcopy(items[query.offset : query.offset + query.limit]),
        total=len(items),
        limit=query.limit,
        offset=query.offset,
    )


def _matches(query: OffsetQuery, *texts: str | None) -> bool:
    if not query.search:
        return True
    needle = query.search.lower()
    return any(needle in (text or "").lower() for text in texts)


class _Repo:
    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _s(self) -> StoreState:
        return self._uow.working


class _Tickets(_Repo):
    def _check_active_unique(self, ticket: Ticket) -> None:
        if not ticket.is_active:
            return
        for other in self._s.tickets.values():
            if (
                other.id != ticket.id
                and other.is_active
                and other.contact_id == ticket.contact_id
                and other.whatsapp_id == ticket.whatsapp_id
            ):
                raise StoreConflict("active_ticket", f"contact {ticket.contact_id} has ticket {other.id}")

    async def get(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        return copy.deepcopy(self._s.tickets.get(ticket_id))

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> Ticket | None:
        for t in self._s.tickets.values():
            if t.contact_id == contact_id and t.whatsapp_id == whatsapp_id and t.is_active:
                return copy.deepcopy(t)
        return None

    async def get_last_closed(self, contact_id: int, whatsapp_id: int) -> Ticket | None:
        closed = [
            t
            for t in self._s.tickets.values()
            if t.contact_id == contact_id and t.whatsapp_id == whatsapp_id and t.closed_at is not None
        ]
        if not closed:
            return None
        return copy.deepcopy(max(closed, key=lambda t: (t.closed_at or t.created_at, t.id)))

    async def add(self, ticket: Ticket) -> Ticket:
        self._check_active_unique(ticket)
        ticket.id = self._s.allocate("tickets")
        self._s.tickets[ticket.id] = copy.deepcopy(ticket)
        return ticket

    async def save(self, ticket: Ticket) -> None:
        self._check_active_unique(ticket)
        self._s.tickets[ticket.id] = copy.deepcopy(ticket)

    async def delete(self, ticket_id: int) -> None:
        self._s.tickets.pop(ticket_id, None)
        for mid in [m.id for m in self._s.messages.values() if m.ticket_id == ticket_id]:
            del self._s.messages[mid]

    async def list_assigned_active(self, user_id: int) -> list[Ticket]:
        return copy.deepcopy(
            [t for t in sorted(self._s.tickets.values(), key=lambda t: t.id) if t.user_id == user_id and t.is_active]
        )

    async def contact_has_tickets(self, contact_id: int) -> bool:
        return any(t.contact_id == contact_id for t in self._s.tickets.values())

    async def list_of_contact(self, contact_id: int, *, for_update: bool = False) -> list[Ticket]:
        return copy.deepcopy(
            [t for t in sorted(self._s.tickets.values(), key=lambda t: t.id) if t.contact_id == contact_id]
        )


class _Messages(_Repo):
    async def get(self, message_id: int, *, for_update: bool = False) -> Message | None:
        return copy.deepcopy(self._s.messages.get(message_id))

    async def get_by_wa_id(self, whatsapp_id: int, wa_message_id: str, *, for_update: bool = False) -> Message | None:
        for m in self._s.messages.values():
            if m.whatsapp_id == whatsapp_id and m.wa_message_id == wa_message_id:
                return copy.deepcopy(m)
        return None

    def _check_unique(self, message: Message) -> None:
        if message.wa_message_id is None:
            return
        for other in self._s.messages.values():
            if (
                other.id != message.id
                and other.whatsapp_id == message.whatsapp_id
                and other.wa_message_id == message.wa_message_id
            ):
                raise StoreConflict("message_wa_id", message.wa_message_id)

    async def add(self, message: Message) -> Message:
        self._check_unique(message)
        message.id = self._s.allocate("messages")
        self._s.messages[message.id] = copy.deepcopy(message)
        return message

    async def save(self, message: Message) -> None:
        self._check_unique(message)
        self._s.messages[message.id] = copy.deepcopy(message)

    async def latest_inbound(self, ticket_id: int, limit: int) -> list[Message]:
        found = [m for m in self._s.messages.values() if m.ticket_id == ticket_id and not m.from_me]
        return copy.deepcopy(sorted(found, key=lambda m: m.id, reverse=True)[:limit])

    async def list_stale_pending(self, older_than: datetime, limit: int) -> list[Message]:
        found = [
            m
            for m in self._s.messages.values()
            if m.from_me and m.ack is MessageAck.PENDING and m.created_at < older_than
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.id)[:limit])

    async def move_to_ticket(self, from_ticket_id: int, to_ticket_id: int) -> int:
        moved = [m for m in self._s.messages.values() if m.ticket_id == from_ticket_id]
        for m in moved:
            m.ticket_id = to_ticket_id
        return len(moved)

    async def reassign_contact(self, from_contact_id: int, to_contact_id: int) -> None:
        for m in self._s.messages.values():
            if m.contact_id == from_contact_id:
                m.contact_id = to_contact_id


class _Contacts(_Repo):
    def _check_unique(self, contact: Contact) -> None:
        for other in self._s.contacts.values():
            if other.id == contact.id:
                continue
            if contact.number is not None and other.number == contact.number:
                raise StoreConflict("contact_number", contact.number)
            if contact.lid is not None and other.lid == contact.lid:
                raise StoreConflict("contact_lid", contact.lid)

    async def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None:
        return copy.deepcopy(self._s.contacts.get(contact_id))

    async def get_by_number(self, number: str, *, for_update: bool = False) -> Contact | None:
        for c in self._s.contacts.values():
            if c.number == number:
                return copy.deepcopy(c)
        return None

    async def get_by_lid(self, lid: str, *, for_update: bool = False) -> Contact | None:
        for c in self._s.contacts.values():
            if c.lid == lid:
                return copy.deepcopy(c)
        return None

    async def add(self, contact: Contact) -> Contact:
        self._check_unique(contact)
        contact.id = self._s.allocate("contacts")
        self._s.contacts[contact.id] = copy.deepcopy(contact)
        return contact

    async def save(self, contact: Contact) -> None:
        self._check_unique(contact)
        self._s.contacts[contact.id] = copy.deepcopy(contact)

    async def delete(self, contact_id: int) -> None:
        self._s.contacts.pop(contact_id, None)
        for tid in [t.id for t in self._s.tickets.values() if t.contact_id == contact_id]:
            await self._uow.tickets.delete(tid)

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Contact]:
        found = [c for c in self._s.contacts.values() if _matches(query, c.name, c.number, c.email, c.lid)]
        return _page(sorted(found, key=lambda c: c.id), query)


class _Queues(_Repo):
    def _check_unique(self, queue: Queue) -> None:
        for other in self._s.queues.values():
            if other.id == queue.id:
                continue
            if other.name.lower() == queue.name.lower():
                raise StoreConflict("queue_name", queue.name)
            if other.color == queue.color:
                raise StoreConflict("queue_color", queue.color)

    async def get(self, queue_id: int) -> Queue | None:
        return copy.deepcopy(self._s.queues.get(queue_id))

    async def get_many(self, queue_ids: list[int]) -> list[Queue]:
        return [copy.deepcopy(self._s.queues[i]) for i in queue_ids if i in self._s.queues]

    async def get_by_name(self, name: str) -> Queue | None:
        for q in self._s.queues.values():
            if q.name.lower() == name.lower():
                return copy.deepcopy(q)
        return None

    async def get_by_color(self, color: str) -> Queue | None:
        for q in self._s.queues.values():
            if q.color == color:
                return copy.deepcopy(q)
        return None

    async def add(self, queue: Queue) -> Queue:
        self._check_unique(queue)
        queue.id = self._s.allocate("queues")
        self._s.queues[queue.id] = copy.deepcopy(queue)
        self._sync_users(queue)
        return queue

    async def save(self, queue: Queue) -> None:
        self._check_unique(queue)
        self._s.queues[queue.id] = copy.deepcopy(queue)
        self._sync_users(queue)

    def _sync_users(self, queue: Queue) -> None:
        # Membership is one relation seen from both sides (users.queue_ids and queues.user_ids).
        for user in self._s.users.values():
            if user.id in queue.user_ids and queue.id not in user.queue_ids:
                user.queue_ids.append(queue.id)
            if user.id not in queue.user_ids and queue.id in user.queue_ids:
                user.queue_ids.remove(queue.id)

    async def delete(self, queue_id: int) -> None:
        self._s.queues.pop(queue_id, None)
        for user in self._s.users.values():
            if queue_id in user.queue_ids:
                user.queue_ids.remove(queue_id)
        for wa in self._s.whatsapps.values():
            if queue_id in wa.queue_ids:
                wa.queue_ids.remove(queue_id)
        for ticket in self._s.tickets.values():
            if ticket.queue_id == queue_id:
                ticket.queue_id = None

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Queue]:
        found = [q for q in self._s.queues.values() if _matches(query, q.name)]
        return _page(sorted(found, key=lambda q: q.id), query)


class _Users(_Repo):
    def _check_unique(self, user: User) -> None:
        for other in self._s.users.values():
            if other.id != user.id and other.email == user.email:
                raise StoreConflict("user_email", user.email)

    async def get(self, user_id: int) -> User | None:
        return copy.deepcopy(self._s.users.get(user_id))

    async def get_by_email(self, email: str) -> User | None:
        for u in self._s.users.values():
            if u.email == email:
                return copy.deepcopy(u)
        return None

    async def add(self, user: User) -> User:
        self._check_unique(user)
        user.id = self._s.allocate("users")
        self._s.users[user.id] = copy.deepcopy(user)
        self._sync_queues(user)
        return user

    async def save(self, user: User) -> None:
        self._check_unique(user)
        self._s.users[user.id] = copy.deepcopy(user)
        self._sync_queues(user)

    def _sync_queues(self, user: User) -> None:
        for queue in self._s.queues.values():
            if queue.id in user.queue_ids and user.id not in queue.user_ids:
                queue.user_ids.append(user.id)
            if queue.id not in user.queue_ids and user.id in queue.user_ids:
                queue.user_ids.remove(user.id)

    async def delete(self, user_id: int) -> None:
        self._s.users.pop(user_id, None)
        for queue in self._s.queues.values():
            if user_id in queue.user_ids:
                queue.user_ids.remove(user_id)

    async def count(self) -> int:
        return len(self._s.users)

    async def count_admins(self) -> int:
        return sum(1 for u in self._s.users.values() if u.role is Role.ADMIN)

    async def list_page(self, query: OffsetQuery) -> OffsetPage[User]:
        found = [u for u in self._s.users.values() if _matches(query, u.name, u.email)]
        return _page(sorted(found, key=lambda u: u.id), query)


class _WhatsApps(_Repo):
    def _check_unique(self, wa: WhatsApp) -> None:
        for other in self._s.whatsapps.values():
            if other.id == wa.id:
                continue
            if other.name.lower() == wa.name.lower():
                raise StoreConflict("whatsapp_name", wa.name)
            if other.is_default and wa.is_default:
                raise StoreConflict("default_whatsapp", wa.name)

    async def get(self, whatsapp_id: int, *, for_update: bool = False) -> WhatsApp | None:
        return copy.deepcopy(self._s.whatsapps.get(whatsapp_id))

    async def get_default(self) -> WhatsApp | None:
        for w in self._s.whatsapps.values():
            if w.is_default:
                return copy.deepcopy(w)
        return None

    async def get_by_name(self, name: str) -> WhatsApp | None:
        for w in self._s.whatsapps.values():
            if w.name.lower() == name.lower():
                return copy.deepcopy(w)
        return None

    async def add(self, whatsapp: WhatsApp) -> WhatsApp:
        self._check_unique(whatsapp)
        whatsapp.id = self._s.allocate("whatsapps")
        self._s.whatsapps[whatsapp.id] = copy.deepcopy(whatsapp)
        return whatsapp

    async def save(self, whatsapp: WhatsApp) -> None:
        self._check_unique(whatsapp)
        self._s.whatsapps[whatsapp.id] = copy.deepcopy(whatsapp)

    async def delete(self, whatsapp_id: int) -> None:
        self._s.whatsapps.pop(whatsapp_id, None)
        for tid in [t.id for t in self._s.tickets.values() if t.whatsapp_id == whatsapp_id]:
            await self._uow.tickets.delete(tid)
        for user in self._s.users.values():
            if user.whatsapp_id == whatsapp_id:
                user.whatsapp_id = None

    async def list_page(self, query: OffsetQuery) -> OffsetPage[WhatsApp]:
        found = [w for w in self._s.whatsapps.values() if _matches(query, w.name, w.number)]
        return _page(sorted(found, key=lambda w: w.id), query)

    async def list_all(self) -> list[WhatsApp]:
        return copy.deepcopy(sorted(self._s.whatsapps.values(), key=lambda w: w.id))


class _QuickAnswers(_Repo):
    def _check_unique(self, qa: QuickAnswer) -> None:
        for other in self._s.quick_answers.values():
            if other.id != qa.id and other.shortcut.lower() == qa.shortcut.lower():
                raise StoreConflict("quick_answer_shortcut", qa.shortcut)

    async def get(self, quick_answer_id: int) -> QuickAnswer | None:
        return copy.deepcopy(self._s.quick_answers.get(quick_answer_id))

    async def get_by_shortcut(self, shortcut: str) -> QuickAnswer | None:
        for q in self._s.quick_answers.values():
            if q.shortcut.lower() == shortcut.lower():
                return copy.deepcopy(q)
        return None

    async def add(self, quick_answer: QuickAnswer) -> QuickAnswer:
        self._check_unique(quick_answer)
        quick_answer.id = self._s.allocate("quick_answers")
        self._s.quick_answers[quick_answer.id] = copy.deepcopy(quick_answer)
        return quick_answer

    async def save(self, quick_answer: QuickAnswer) -> None:
        self._check_unique(quick_answer)
        self._s.quick_answers[quick_answer.id] = copy.deepcopy(quick_answer)

    async def delete(self, quick_answer_id: int) -> None:
        self._s.quick_answers.pop(quick_answer_id, None)

    async def list_page(self, query: OffsetQuery) -> OffsetPage[QuickAnswer]:
        found = [q for q in self._s.quick_answers.values() if _matches(query, q.shortcut, q.message)]
        return _page(sorted(found, key=lambda q: q.id), query)


class _Settings(_Repo):
    async def get(self, key: str) -> str | None:
        return self._s.settings.get(key)

    async def set(self, key: str, value: str) -> None:
        self._s.settings[key] = value

    async def all(self) -> dict[str, str]:
        return dict(self._s.settings)


class _RefreshTokens(_Repo):
    async def get(self, token_id: str, *, for_update: bool = False) -> RefreshToken | None:
        return copy.deepcopy(self._s.refresh_tokens.get(token_id))

    async def add(self, token: RefreshToken) -> None:
        if token.token_id in self._s.refresh_tokens:
            raise StoreConflict("other", "refresh token id reused")
        self._s.refresh_tokens[token.token_id] = copy.deepcopy(token)

    async def save(self, token: RefreshToken) -> None:
        self._s.refresh_tokens[token.token_id] = copy.deepcopy(token)

    async def revoke_family(self, family_id: str) -> None:
        for t in self._s.refresh_tokens.values():
            if t.family_id == family_id:
                t.revoked = True

    async def revoke_all_of_user(self, user_id: int) -> None:
        for t in self._s.refresh_tokens.values():
            if t.user_id == user_id:
                t.revoked = True


class InMemoryUnitOfWork:
    """A serialisable transaction over an :class:`InMemoryStore`.

    Transactions run one at a time (a lock held from enter to exit) on a private copy of the state, swapped in on
    commit, so concurrent use cases behave like serialised database transactions and a failure leaves nothing behind.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.working = StoreState()
        self.commits = 0
        self.tickets = _Tickets(self)
        self.messages = _Messages(self)
        self.contacts = _Contacts(self)
        self.queues = _Queues(self)
        self.users = _Users(self)
        self.whatsapps = _WhatsApps(self)
        self.quick_answers = _QuickAnswers(self)
        self.settings = _Settings(self)
        self.refresh_tokens = _RefreshTokens(self)

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self.working = self._store.state.clone()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.working = StoreState()
        self._store.lock.release()

    async def commit(self) -> None:
        self._store.state = self.working.clone()
        self.commits += 1

    async def rollback(self) -> None:
        self.working = self._store.state.clone()
