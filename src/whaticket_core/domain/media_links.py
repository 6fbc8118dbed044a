"""Signed media links: a media download a browser can make without an Authorization header (``<img src>``).

A link grants one user one message's media until it expires, and only while that user's sessions stand (the token
version at signing): logout-all, a new password or deletion ends every link the user was given. It is issued only
with a message the user can see, and the download checks visibility again, so a user moved off the ticket's queue
loses access at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_MEDIA_LINK_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class MediaGrant:
    message_id: int
    user_id: int
    token_version: int
    expires_at: int  # Unix seconds

    @classmethod
    def issue(cls, message_id: int, user_id: int, token_version: int, now: datetime, ttl: timedelta) -> MediaGrant:
        return cls(message_id, user_id, token_version, int((now + ttl).timestamp()))

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at
