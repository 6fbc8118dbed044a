"""API tokens: credentials an admin issues to an integration (a CRM, an automation tool), limited by scopes.

The token string is shown once; the store keeps only its SHA-256 digest. A plain digest (no salt, no slow hash) is
right here because the secret is 32 random bytes: there is nothing to guess, and every request must check it fast.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import InvalidInput

TOKEN_MARK = "wt_"
SECRET_BYTES = 32
# How much of the token stays visible in lists (the mark and 8 characters), so an admin can tell tokens apart.
PREFIX_LENGTH = len(TOKEN_MARK) + 8
# lastUsedAt is a hint for admins, not an audit log: written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_NAME_LENGTH = 200


class ApiScope(enum.StrEnum):
    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"
    MESSAGES_READ = "messages:read"
    MESSAGES_WRITE = "messages:write"
    CONTACTS_READ = "contacts:read"
    CONTACTS_WRITE = "contacts:write"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(slots=True)
class ApiToken:
    name: str
    owner_id: int  # the admin who issued it; tickets it opens are assigned to them
    scopes: frozenset[ApiScope]
    prefix: str
    token_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int = 0

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def use_is_worth_recording(self, now: datetime) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION


def new_token_secret() -> str:
    """``wt_`` and 32 random bytes, URL-safe base64 (43 characters)."""
    return TOKEN_MARK + secrets.token_urlsafe(SECRET_BYTES)


def digest(token: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_api_token(bearer: str) -> bool:
    return bearer.startswith(TOKEN_MARK)


def parse_scopes(values: list[str] | tuple[str, ...]) -> frozenset[ApiScope]:
    """At least one scope, each one the contract names (``validation_error`` on ``scopes`` otherwise)."""
    if not values:
        raise InvalidInput("a token needs at least one scope", "scopes")
    known = {s.value for s in ApiScope}
    unknown = sorted(v for v in values if v not in known)
    if unknown:
        raise InvalidInput(f"unknown scope(s): {', '.join(unknown)}", "scopes")
    return frozenset(ApiScope(v) for v in values)


def validate_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"name must have 1 to {MAX_NAME_LENGTH} characters", "name")
    return cleaned
