"""Contacts: the people (or groups) who write to the company.

WhatsApp names a person by a phone-number JID or by a hidden-number user id (a LID). A contact carries either or both:
``number`` (E.164 digits) and ``lid`` (the LID's digits). A contact known only by its LID has ``number`` None until
WhatsApp reveals the number; :mod:`whaticket_core.use_cases.inbound.identity_steps` then makes the two one contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import InvalidInput
from .tag import TagView

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ExtraInfo:
    name: str
    value: str


@dataclass(slots=True)
class Contact:
    name: str
    number: str | None
    created_at: datetime
    email: str | None = None
    profile_pic_url: str | None = None
    is_group: bool = False
    extra_info: list[ExtraInfo] = field(default_factory=list)
    lid: str | None = None
    id: int = 0
    # What the contact is tagged with, as the contact use cases return it; written only through TagAssignments.
    tags: tuple[TagView, ...] = ()

    @property
    def has_placeholder_name(self) -> bool:
        """Still named by its number or LID (nobody gave it a real name): WhatsApp's push name may replace it."""
        return self.name in (self.number, self.lid)


def validate_name(name: str, field_name: str = "name") -> str:
    """Names are 1 to 200 characters once surrounding whitespace is removed."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= MAX_NAME_LENGTH:
        raise InvalidInput(f"{field_name.replace('_', ' ')} must be 1 to {MAX_NAME_LENGTH} characters", field_name)
    return cleaned
