"""Contacts: the people (or groups) who write to the company."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import InvalidInput

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ExtraInfo:
    name: str
    value: str


@dataclass(slots=True)
class Contact:
    name: str
    number: str
    created_at: datetime
    email: str | None = None
    profile_pic_url: str | None = None
    is_group: bool = False
    extra_info: list[ExtraInfo] = field(default_factory=list)
    id: int = 0


def validate_name(name: str, field_name: str = "name") -> str:
    """Names are 1 to 200 characters once surrounding whitespace is removed."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH:
        raise InvalidInput(f"{field_name.replace('_', ' ')} must be 1 to {MAX_NAME_LENGTH} characters", field_name)
    return cleaned
