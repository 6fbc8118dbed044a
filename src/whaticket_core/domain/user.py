"""Users (agents, supervisors, admins) and their roles."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from .errors import InvalidInput

MIN_PASSWORD_LENGTH = 8


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    USER = "user"


@dataclass(slots=True)
class User:
    name: str
    email: str
    password_hash: str
    role: Role
    created_at: datetime
    queue_ids: list[int] = field(default_factory=list)
    whatsapp_id: int | None = None
    # Bumped by logout-all: every token carrying an older version stops working at once. A new account starts at a
    # random value, so a token naming a deleted account's id never matches an account that got the same id later.
    token_version: int = field(default_factory=lambda: new_token_stamp())
    # Auto-assignment hands this agent no ticket while they hold this many open ones; 0 means no limit.
    max_open_tickets: int = 0
    id: int = 0

    @property
    def is_staff(self) -> bool:
        """Admins and supervisors see every ticket."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)


def new_token_stamp() -> int:
    """A random first token version (below 2**30: room for a billion bumps in a 32-bit column)."""
    return secrets.randbelow(2**30) + 1


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    local, sep, domain = cleaned.partition("@")
    if not sep or not local or "." not in domain or len(cleaned) > 254 or " " in cleaned:
        raise InvalidInput("email is not a valid address", "email")
    return cleaned


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters", "password")
    return password


MAX_CAPACITY = 10_000


def validate_capacity(max_open_tickets: int) -> int:
    if not 0 <= max_open_tickets <= MAX_CAPACITY:
        raise InvalidInput(f"maxOpenTickets must be between 0 (no limit) and {MAX_CAPACITY}", "maxOpenTickets")
    return max_open_tickets
