"""In-memory repositories of the directory: queues, users, connections, quick answers, settings and refresh tokens."""

from __future__ import annotations

import copy

from ..domain.auth import RefreshToken
from ..domain.pagination import OffsetPage, OffsetQuery
from ..domain.queue import Queue
from ..domain.quick_answer import QuickAnswer
from ..domain.user import Role, User
from ..domain.whatsapp import WhatsApp
from ..ports.unit_of_work import Constraint, StoreConflict
from .repository_base import InMemoryRepository, matches, page_of


class InMemoryQueueRepository(InMemoryRepository):
    def _check_unique(self, queue: Queue) -> None:
        for other in self._s.queues.values():
            if other.id == queue.id:
                continue
            if other.name.lower() == queue.name.lower():
                raise StoreConflict(Constraint.QUEUE_NAME, queue.name)
            if other.color == queue.color:
                raise StoreConflict(Constraint.QUEUE_COLOR, queue.color)

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
        self._s.business_hours.pop(f"queue:{queue_id}", None)
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
        found = [q for q in self._s.queues.values() if matches(query, q.name)]
        return page_of(sorted(found, key=lambda q: q.id), query)


class InMemoryUserRepository(InMemoryRepository):
    def _check_unique(self, user: User) -> None:
        for other in self._s.users.values():
            if other.id != user.id and other.email == user.email:
                raise StoreConflict(Constraint.USER_EMAIL, user.email)

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

    async def lock_roles(self) -> None:
        """Nothing to do: the fake's units of work already run one at a time (the store's lock)."""

    async def lock_for_assignment(self, user_ids: list[int]) -> list[User]:
        """No lock needed, as for :meth:`lock_roles`."""
        return [copy.deepcopy(self._s.users[i]) for i in sorted(set(user_ids)) if i in self._s.users]

    async def count_admins(self) -> int:
        return sum(1 for u in self._s.users.values() if u.role is Role.ADMIN)

    async def list_page(self, query: OffsetQuery) -> OffsetPage[User]:
        found = [u for u in self._s.users.values() if matches(query, u.name, u.email)]
        return page_of(sorted(found, key=lambda u: u.id), query)


class InMemoryWhatsAppRepository(InMemoryRepository):
    def _check_unique(self, wa: WhatsApp) -> None:
        for other in self._s.whatsapps.values():
            if other.id == wa.id:
                continue
            if other.name.lower() == wa.name.lower():
                raise StoreConflict(Constraint.WHATSAPP_NAME, wa.name)
            if other.is_default and wa.is_default:
                raise StoreConflict(Constraint.DEFAULT_WHATSAPP, wa.name)

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
        self._s.business_hours.pop(f"whatsapp:{whatsapp_id}", None)
        for tid in [t.id for t in self._s.tickets.values() if t.whatsapp_id == whatsapp_id]:
            await self._uow.tickets.delete(tid)
        for user in self._s.users.values():
            if user.whatsapp_id == whatsapp_id:
                user.whatsapp_id = None

    async def list_page(self, query: OffsetQuery) -> OffsetPage[WhatsApp]:
        found = [w for w in self._s.whatsapps.values() if matches(query, w.name, w.number)]
        return page_of(sorted(found, key=lambda w: w.id), query)

    async def list_all(self) -> list[WhatsApp]:
        return copy.deepcopy(sorted(self._s.whatsapps.values(), key=lambda w: w.id))


class InMemoryQuickAnswerRepository(InMemoryRepository):
    def _check_unique(self, qa: QuickAnswer) -> None:
        for other in self._s.quick_answers.values():
            if other.id != qa.id and other.shortcut.lower() == qa.shortcut.lower():
                raise StoreConflict(Constraint.QUICK_ANSWER_SHORTCUT, qa.shortcut)

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
        found = [q for q in self._s.quick_answers.values() if matches(query, q.shortcut, q.message)]
        return page_of(sorted(found, key=lambda q: q.id), query)


class InMemorySettingRepository(InMemoryRepository):
    async def get(self, key: str) -> str | None:
        return self._s.settings.get(key)

    async def set(self, key: str, value: str) -> None:
        self._s.settings[key] = value

    async def all(self) -> dict[str, str]:
        return dict(self._s.settings)


class InMemoryRefreshTokenRepository(InMemoryRepository):
    async def get(self, token_id: str, *, for_update: bool = False) -> RefreshToken | None:
        return copy.deepcopy(self._s.refresh_tokens.get(token_id))

    async def add(self, token: RefreshToken) -> None:
        if token.token_id in self._s.refresh_tokens:
            raise StoreConflict(Constraint.OTHER, "refresh token id reused")
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
