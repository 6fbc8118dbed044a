from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.api_tokens import (
    PREFIX_LENGTH,
    ApiToken,
    digest,
    new_token_secret,
    parse_scopes,
    validate_name,
)
from whaticket_core.domain.errors import ApiTokenNotFound, InvalidInput, InvalidToken
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.api_tokens import ApiTokenStore
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.queries import AuthUserQueries
from whaticket_core.use_cases.auth.authenticate import Authenticated
from whaticket_core.use_cases.shared.guards import require_admin


@dataclass(frozen=True, slots=True)
class CreateApiTokenCommand:
    actor: Viewer
    name: str
    scopes: tuple[str, ...]
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    token: ApiToken
    secret: str  # the only time the token string exists outside the caller's hands


class CreateApiToken:
    """An admin issues a token for an integration.

    Rules: admins only (a token cannot issue tokens: it acts with a supervisor's reach); a name of 1 to 200
    characters; at least one known scope; an expiry, when given, in the future. The secret is returned once and only
    its digest is stored; the token belongs to the issuing admin (deleting that admin deletes their tokens).
    """

    def __init__(self, store: ApiTokenStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def execute(self, command: CreateApiTokenCommand) -> CreatedApiToken:
        require_admin(command.actor, "manage API tokens")
        name = validate_name(command.name)
        scopes = parse_scopes(command.scopes)
        now = self._clock.now()
        if command.expires_at is not None and command.expires_at <= now:
            raise InvalidInput("expiresAt must be in the future", "expires_at")
        secret = new_token_secret()
        token = ApiToken(
            name=name,
            owner_id=command.actor.user_id,
            scopes=scopes,
            prefix=secret[:PREFIX_LENGTH],
            token_hash=digest(secret),
            created_at=now,
            expires_at=command.expires_at,
        )
        return CreatedApiToken(await self._store.add(token), secret)


@dataclass(frozen=True, slots=True)
class ListApiTokensCommand:
    actor: Viewer


class ListApiTokens:
    """Every token, newest first, without secrets. Admins only."""

    def __init__(self, store: ApiTokenStore) -> None:
        self._store = store

    async def execute(self, command: ListApiTokensCommand) -> list[ApiToken]:
        require_admin(command.actor, "manage API tokens")
        return await self._store.list()


@dataclass(frozen=True, slots=True)
class RevokeApiTokenCommand:
    actor: Viewer
    token_id: int


class RevokeApiToken:
    """Deletes a token: its next request is refused (``invalid_token``). Admins only; ``api_token_not_found``."""

    def __init__(self, store: ApiTokenStore) -> None:
        self._store = store

    async def execute(self, command: RevokeApiTokenCommand) -> None:
        require_admin(command.actor, "manage API tokens")
        if not await self._store.delete(command.token_id):
            raise ApiTokenNotFound(f"API token {command.token_id} not found", api_token_id=command.token_id)


@dataclass(frozen=True, slots=True)
class AuthenticateApiTokenCommand:
    token: str


class AuthenticateApiToken:
    """Who an API token speaks for: a system actor with a supervisor's reach (every ticket; no management of users,
    queues, connections, settings or tokens) under the issuing admin's id, limited to the token's scopes.

    Rules: an unknown (or revoked) token, an expired one, or one whose issuer is gone or no longer an admin is
    ``invalid_token`` (a token must not outlive the authority that issued it; re-promoting the issuer revives it).
    The last use is recorded at most once a minute, so a busy integration does not write on every request.
    """

    def __init__(self, store: ApiTokenStore, users: AuthUserQueries, clock: Clock) -> None:
        self._store = store
        self._users = users
        self._clock = clock

    async def execute(self, command: AuthenticateApiTokenCommand) -> Authenticated:
        token = await self._store.find_by_hash(digest(command.token))
        now = self._clock.now()
        if token is None or token.expired(now):
            raise InvalidToken("API token is not valid")
        owner = await self._users.auth_user(token.owner_id)
        if owner is None or owner.user.role is not Role.ADMIN:
            raise InvalidToken("API token is not valid")
        if token.use_is_worth_recording(now):
            await self._store.mark_used(token.id, now)
        viewer = Viewer(
            owner.user.id,
            Role.SUPERVISOR,
            frozenset(),
            api_token_id=token.id,
            scopes=frozenset(s.value for s in token.scopes),
        )
        return Authenticated(owner.user, viewer, owner.token_version)
