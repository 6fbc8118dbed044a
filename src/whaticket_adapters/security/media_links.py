"""Signed media links with HMAC-SHA256 (standard library only)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from whaticket_core.domain.errors import InvalidMediaLink
from whaticket_core.domain.media_links import MediaGrant

# The link key is derived from the access-token secret for this one purpose, so a link MAC can never be replayed as,
# or mistaken for, anything else signed with that secret.
_PURPOSE = b"whaticket media links v1"


class HmacMediaLinkSigner:
    """Tokens ``<message>.<user>.<tokenVersion>.<expiresAt>.<mac>``: readable numbers, and a URL-safe base64
    HMAC-SHA256 of them, compared in constant time."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, grant: MediaGrant) -> str:
        body = f"{grant.message_id}.{grant.user_id}.{grant.token_version}.{grant.expires_at}"
        return f"{body}.{self._mac(body)}"

    def read(self, token: str) -> MediaGrant:
        body, _, mac = token.rpartition(".")
        fields = body.split(".")
        if len(fields) != 4 or not all(f.isdigit() and len(f) <= 20 for f in fields):
            raise InvalidMediaLink("Media link is malformed")
        if not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise InvalidMediaLink("Media link signature does not match")
        message_id, user_id, version, expires_at = (int(f) for f in fields)
        return MediaGrant(message_id, user_id, version, expires_at)
