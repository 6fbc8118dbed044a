"""User management: admins manage accounts; anyone may read and edit their own name and password."""

from __future__ import annotations

from dataclasses import dataclass, field

from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import ActionForbidden, CurrentPasswordInvalid, EmailTaken, LastAdmin, UserNotFound
from whaticket_core.domain.events import DomainEvent, TicketUpdated, UserAccessChanged, UserSessionsRevoked
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import Role, User, normalize_email, validate_capacity, validate_password
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.security import PasswordHasher
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.guards import require_admin, require_queues, require_staff, require_whatsapp
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import view_of
from whaticket_core.use_cases.shared.unset import UNSET, Unset


def _email_taken(email: str) -> EmailTaken:
    return EmailTaken(f"{email} is already registered", fields=["email"])


async def _load(uow: UnitOfWork, user_id: int) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"User {user_id} not found", user_id=user_id)
    return user


@dataclass(frozen=True, slots=True)
class CreateUserCommand:
    actor: Viewer
    name: str
    email: str
    password: str
    role: Role = Role.USER
    queue_ids: tuple[int, ...] = ()
    whatsapp_id: int | None = None
    max_open_tickets: int = 0


class CreateUser:
    """An admin creates an account (``forbidden`` for others).

    Rules: name 1..200, a valid email (stored lower-case), password of 8 or more; ``email_taken`` on a duplicate;
    every queue id and the connection id must exist (``queue_not_found``/``whatsapp_not_found``);
    ``max_open_tickets`` (auto-assignment's capacity, 0 for no limit) is 0..10000.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher

    async def execute(self, command: CreateUserCommand) -> UserView:
        require_admin(command.actor, "create users")
        name = validate_name(command.name)
        email = normalize_email(command.email)
        password_hash = self._hasher.hash(validate_password(command.password))
        try:
            async with self._uow as uow:
                queue_ids = await require_queues(uow, command.queue_ids)
                if command.whatsapp_id is not None:
                    await require_whatsapp(uow, command.whatsapp_id)
                if await uow.users.get_by_email(email) is not None:
                    raise _email_taken(email)
                user = User(name, email, password_hash, command.role, self._clock.now(), queue_ids, command.whatsapp_id)
                user.max_open_tickets = validate_capacity(command.max_open_tickets)
                await uow.users.add(user)
                await uow.commit()
        except StoreConflict as exc:
            raise await explain_conflict(exc, {Constraint.USER_EMAIL: lambda: _email_taken(email)}) from None
        return UserView.of(user)


@dataclass(frozen=True, slots=True)
class UpdateUserCommand:
    """A partial update of a user: None (or UNSET for ``whatsapp_id``, which may be set to None) means absent."""

    actor: Viewer
    user_id: int
    name: str | None = None
    email: str | None = None
    password: str | None = None
    role: Role | None = None
    queue_ids: tuple[int, ...] | None = None
    whatsapp_id: int | Unset | None = UNSET
    max_open_tickets: int | None = None
    current_password: str | None = None


class UpdateUser:
    """A partial update of an account.

    Rules: an admin may change anything of anyone; anyone else may change only their own ``name`` and ``password``
    (any other field, or another user, is ``forbidden``). The last admin cannot be demoted (``last_admin``). Values
    are validated as on create (``email_taken``, ``queue_not_found``, ``whatsapp_not_found``). A new password ends
    every session of that user, as logout-all does: whoever knew the old one keeps no token. Changing one's own
    password needs the current one (``current_password_invalid``), admins included: a stolen access token must not
    become a takeover; an admin resetting someone else's password does not need theirs. A new role or new queues
    publish ``UserAccessChanged``, so the user's live sockets are regrouped at once.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, publisher: EventPublisher) -> None:
        self._uow = uow
        self._hasher = hasher
        self._publisher = publisher

    async def _check_current_password(self, user_id: int, current: str | None) -> None:
        # Read in a transaction of its own: argon2 is deliberately slow and must not hold the write transaction.
        stored = await _stored_hash(self._uow, user_id)
        if not current or not self._hasher.verify(stored, current):
            raise CurrentPasswordInvalid("Give your current password to set a new one", fields=["current_password"])

    async def execute(self, command: UpdateUserCommand) -> UserView:
        actor = command.actor
        if actor.role is not Role.ADMIN:
            others = (command.email, command.role, command.queue_ids, command.max_open_tickets)
            touches_others = any(v is not None for v in others) or command.whatsapp_id is not UNSET
            if actor.user_id != command.user_id or touches_others:
                raise ActionForbidden("You may change only your own name and password")
        name = None if command.name is None else validate_name(command.name)
        email = None if command.email is None else normalize_email(command.email)
        password_hash = None
        if command.password is not None:
            new_password = validate_password(command.password)
            if actor.user_id == command.user_id:
                await self._check_current_password(command.user_id, command.current_password)
            password_hash = self._hasher.hash(new_password)
        try:
            async with self._uow as uow:
                if command.role is not None:
                    # Two admins demoting each other at once must not both count two admins: lock, then read.
                    await uow.users.lock_roles()
                user = await _load(uow, command.user_id)
                access_before = (user.role, sorted(user.queue_ids))
                if name is not None:
                    user.name = name
                if email is not None and email != user.email:
                    if await uow.users.get_by_email(email) is not None:
                        raise _email_taken(email)
                    user.email = email
                if password_hash is not None:
                    user.password_hash = password_hash
                    user.token_version += 1
                    await uow.refresh_tokens.revoke_all_of_user(user.id)
                if command.role is not None and command.role is not user.role:
                    if user.role is Role.ADMIN and await uow.users.count_admins() <= 1:
                        raise LastAdmin("The last admin cannot be demoted", user_id=user.id)
                    user.role = command.role
                if command.queue_ids is not None:
                    user.queue_ids = await require_queues(uow, command.queue_ids)
                if not isinstance(command.whatsapp_id, Unset):
                    if command.whatsapp_id is not None:
                        await require_whatsapp(uow, command.whatsapp_id)
                    user.whatsapp_id = command.whatsapp_id
                if command.max_open_tickets is not None:
                    user.max_open_tickets = validate_capacity(command.max_open_tickets)
                access_changed = (user.role, sorted(user.queue_ids)) != access_before
                await uow.users.save(user)
                await uow.commit()
        except StoreConflict as exc:
            errors = {} if email is None else {Constraint.USER_EMAIL: lambda: _email_taken(email)}
            raise await explain_conflict(exc, errors) from None
        if password_hash is not None:
            await self._publisher.publish([UserSessionsRevoked(user.id)])
        elif access_changed:
            await self._publisher.publish([UserAccessChanged(user.id)])
        return UserView.of(user)


async def _stored_hash(uow: UnitOfWork, user_id: int) -> str:
    async with uow:
        return (await _load(uow, user_id)).password_hash


@dataclass(frozen=True, slots=True)
class DeleteUserCommand:
    actor: Viewer
    user_id: int


class DeleteUser:
    """An admin deletes an account (``forbidden`` for others; ``last_admin`` for the last admin).

    Its active tickets go back to ``pending`` with no assignee (``ticket:updated`` for each, carrying the old
    placement), its refresh tokens are revoked and ``UserSessionsRevoked`` drops its live sockets.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: DeleteUserCommand) -> None:
        require_admin(command.actor, "delete users")
        events: list[DomainEvent] = []
        async with self._uow as uow:
            await uow.users.lock_roles()
            user = await _load(uow, command.user_id)
            if user.role is Role.ADMIN and await uow.users.count_admins() <= 1:
                raise LastAdmin("The last admin cannot be deleted", user_id=user.id)
            now = self._clock.now()
            for ticket in await uow.tickets.list_assigned_active(user.id):
                before = ticket.placement
                ticket.release(now)
                await uow.tickets.save(ticket)
                events.append(TicketUpdated(await view_of(uow, ticket), before))
            await uow.refresh_tokens.revoke_all_of_user(user.id)
            await uow.users.delete(user.id)
            await commit_with(uow, events)
        events.append(UserSessionsRevoked(user.id))
        await self._publisher.publish(events)


@dataclass(frozen=True, slots=True)
class GetUserCommand:
    actor: Viewer
    user_id: int


class GetUser:
    """One account: for admins and supervisors, or the user themself (``forbidden`` otherwise, before any lookup)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetUserCommand) -> UserView:
        if command.actor.user_id != command.user_id:
            require_staff(command.actor, "see other users")
        async with self._uow as uow:
            return UserView.of(await _load(uow, command.user_id))


@dataclass(frozen=True, slots=True)
class ListUsersCommand:
    actor: Viewer
    query: OffsetQuery = field(default_factory=OffsetQuery)


class ListUsers:
    """An offset page of accounts (``search`` matches name or email); admins and supervisors only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListUsersCommand) -> OffsetPage[UserView]:
        require_staff(command.actor, "list users")
        async with self._uow as uow:
            page = await uow.users.list_page(command.query)
        return OffsetPage([UserView.of(u) for u in page.items], page.total, page.limit, page.offset)
