"""Authentication records: token claims and server-side refresh tokens (rotated, grouped in families)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=7)
    # A refresh token presented again this soon after its first use is two tabs refreshing at once, not a replay.
    reuse_grace: timedelta = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    token_version: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RefreshClaims:
    user_id: int
    token_id: str
    family_id: str
    token_version: int
    expires_at: datetime


@dataclass(slots=True)
class RefreshToken:
    """One issued refresh token. Using it marks it used; presenting a used one revokes its whole family."""

    token_id: str
    family_id: str
    user_id: int
    expires_at: datetime
    created_at: datetime
    used_at: datetime | None = None
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
