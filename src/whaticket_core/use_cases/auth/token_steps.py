"""Issuing a token pair: the refresh token is recorded server-side (rotation and reuse detection need it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.auth import AccessClaims, AuthPolicy, RefreshClaims, RefreshToken, TokenPair
from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import User
from whaticket_core.ports.security import TokenCodec
from whaticket_core.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AuthResult:
    user: UserView
    tokens: TokenPair


def new_token_id() -> str:
    return secrets.token_urlsafe(24)


async def issue_tokens(
    uow: UnitOfWork,
    codec: TokenCodec,
    policy: AuthPolicy,
    user: User,
    now: datetime,
    *,
    family_id: str | None = None,
) -> TokenPair:
    """A new access token and a new refresh token (in ``family_id``, or a new family for a fresh login)."""
    refresh = RefreshToken(
        token_id=new_token_id(),
        family_id=family_id or new_token_id(),
        user_id=user.id,
        expires_at=now + policy.refresh_ttl,
        created_at=now,
    )
    await uow.refresh_tokens.add(refresh)
    access = codec.encode_access(AccessClaims(user.id, user.token_version, now + policy.access_ttl))
    refresh_token = codec.encode_refresh(
        RefreshClaims(user.id, refresh.token_id, refresh.family_id, user.token_version, refresh.expires_at)
    )
    return TokenPair(access, refresh_token)
