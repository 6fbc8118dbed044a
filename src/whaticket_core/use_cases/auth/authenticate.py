from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import InvalidToken
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import AuthUserQueries
from whaticket_core.ports.security import TokenCodec


@dataclass(frozen=True, slots=True)
class AuthenticateCommand:
    access_token: str


@dataclass(frozen=True, slots=True)
class Authenticated:
    user: UserView
    viewer: Viewer
    # The user's token version when the token was checked (signed media links are bound to it).
    token_version: int = 0


class Authenticate:
    """Who an access token speaks for, read fresh (so role and queue changes apply at once).

    Rules: a token that does not decode or has expired, a deleted user, or a token version older than the user's
    (logout-all since) is ``invalid_token``.
    """

    def __init__(self, users: AuthUserQueries, codec: TokenCodec) -> None:
        # A read port, not the unit of work: every request pays this check, and one statement outside any
        # transaction is what it needs.
        self._users = users
        self._codec = codec

    async def execute(self, command: AuthenticateCommand) -> Authenticated:
        claims = self._codec.decode_access(command.access_token)
        found = await self._users.auth_user(claims.user_id)
        if found is None or found.token_version != claims.token_version:
            raise InvalidToken("Access token is no longer valid")
        user = found.user
        viewer = Viewer(user.id, user.role, frozenset(user.queue_ids))
        return Authenticated(user, viewer, found.token_version)
