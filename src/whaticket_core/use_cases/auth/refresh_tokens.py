from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.auth import AuthPolicy, TokenPair
from whaticket_core.domain.errors import InvalidToken, RefreshTokenReused
from whaticket_core.domain.events import UserSessionsRevoked
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.security import TokenCodec
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.auth.token_steps import issue_tokens


@dataclass(frozen=True, slots=True)
class RefreshTokensCommand:
    refresh_token: str


class RefreshTokens:
    """Rotate a refresh token: the presented one is marked used, a new one in the same family is issued.

    Rules: a token that does not decode, is unknown, revoked, expired, belongs to a deleted user or carries an older
    token version (logout-all since) is ``invalid_token``. The same token presented again within the policy's
    ``reuse_grace`` (two tabs refreshing at once) gets a pair of its own in the same family. Presented later, it was
    stolen or replayed: every session of the user ends, as logout-all (token version bumped, so the thief's access
    token stops working too, refresh tokens revoked, ``UserSessionsRevoked`` drops the sockets), committed, and the
    answer is ``refresh_token_reused``.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        codec: TokenCodec,
        publisher: EventPublisher,
        policy: AuthPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._codec = codec
        self._publisher = publisher
        self._policy = policy or AuthPolicy()

    async def execute(self, command: RefreshTokensCommand) -> TokenPair:
        claims = self._codec.decode_refresh(command.refresh_token)
        reused = False
        async with self._uow as uow:
            record = await uow.refresh_tokens.get(claims.token_id, for_update=True)
            now = self._clock.now()
            if (
                record is None
                or record.revoked
                or record.user_id != claims.user_id
                or record.family_id != claims.family_id
            ):
                raise InvalidToken("Refresh token is not valid")
            if record.used_at is not None and now - record.used_at > self._policy.reuse_grace:
                await uow.refresh_tokens.revoke_family(record.family_id)
                await uow.refresh_tokens.revoke_all_of_user(record.user_id)
                victim = await uow.users.get(record.user_id)
                if victim is not None:
                    victim.token_version += 1
                    await uow.users.save(victim)
                await uow.commit()
                reused = True
            else:
                if record.expires_at <= now:
                    raise InvalidToken("Refresh token has expired")
                user = await uow.users.get(record.user_id)
                if user is None or user.token_version != claims.token_version:
                    raise InvalidToken("Refresh token is no longer valid")
                if record.used_at is None:
                    record.used_at = now
                    await uow.refresh_tokens.save(record)
                tokens = await issue_tokens(uow, self._codec, self._policy, user, now, family_id=record.family_id)
                await uow.commit()
        if reused:
            await self._publisher.publish([UserSessionsRevoked(claims.user_id)])
            raise RefreshTokenReused("Refresh token was already used; every session of this account was ended")
        return tokens
