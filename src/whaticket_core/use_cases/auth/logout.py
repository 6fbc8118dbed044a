from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import InvalidToken, UserNotFound
from whaticket_core.domain.events import UserSessionsRevoked
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.security import TokenCodec
from whaticket_core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class LogoutCommand:
    refresh_token: str
    # When given (an authenticated call), the refresh token must be the actor's own.
    actor: Viewer | None = None


class Logout:
    """End one login: the presented refresh token's whole family is revoked.

    Rules: a token that does not decode, or (with an actor) belongs to someone else, is ``invalid_token``; a token
    the store does not know, or whose family is already revoked, is a quiet success (logging out twice is fine).
    """

    def __init__(self, uow: UnitOfWork, codec: TokenCodec) -> None:
        self._uow = uow
        self._codec = codec

    async def execute(self, command: LogoutCommand) -> None:
        claims = self._codec.decode_refresh(command.refresh_token)
        if command.actor is not None and command.actor.user_id != claims.user_id:
            raise InvalidToken("Refresh token belongs to another user")
        async with self._uow as uow:
            record = await uow.refresh_tokens.get(claims.token_id, for_update=True)
            if record is None or record.user_id != claims.user_id:
                return
            await uow.refresh_tokens.revoke_family(record.family_id)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class LogoutAllCommand:
    actor: Viewer


class LogoutAll:
    """End every session of the actor: their token version is bumped (every access and refresh token they hold stops
    working), all their refresh tokens are revoked, and ``UserSessionsRevoked`` is published so live sockets drop."""

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: LogoutAllCommand) -> None:
        user_id = command.actor.user_id
        async with self._uow as uow:
            user = await uow.users.get(user_id)
            if user is None:
                raise UserNotFound(f"User {user_id} not found", user_id=user_id)
            user.token_version += 1
            await uow.users.save(user)
            await uow.refresh_tokens.revoke_all_of_user(user_id)
            await uow.commit()
        await self._publisher.publish([UserSessionsRevoked(user_id)])
