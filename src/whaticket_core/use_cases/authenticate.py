from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import InvalidToken
from ..domain.read_models import UserView
from ..domain.visibility import Viewer
from ..ports.security import TokenCodec
from ..ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AuthenticateCommand:
    access_token: str


@dataclass(frozen=True, slots=True)
class Authenticated:
    user: UserView
    viewer: Viewer


class Authenticate:
    """Who an access token speaks for, read fresh (so role and queue changes apply at once).

    Rules: a token that does not decode or has expired, a deleted user, or a token version older than the user's
    (logout-all since) is ``invalid_token``.
    """

    def __init__(self, uow: UnitOfWork, codec: TokenCodec) -> None:
        self._uow = uow
        self._codec = codec

    async def execute(self, command: AuthenticateCommand) -> Authenticated:
        claims = self._codec.decode_access(command.access_token)
        async with self._uow as uow:
            user = await uow.users.get(claims.user_id)
        if user is None or user.token_version != claims.token_version:
            raise InvalidToken("Access token is no longer valid")
        return Authenticated(UserView.of(user), Viewer.of(user))
