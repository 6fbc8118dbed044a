from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from ..domain.auth import AccessClaims, RefreshClaims
from ..domain.errors import InvalidMediaLink, InvalidToken
from ..domain.media_links import MediaGrant
from ..ports.clock import Clock


class FakePasswordHasher:
    """Readable, not secure: for tests only."""

    def hash(self, password: str) -> str:
        return "fake$" + password[::-1]

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)


class FakeTokenCodec:
    """Unsigned but typed tokens: a kind marker and the claims, with expiry checked against the given clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def _encode(self, kind: str, payload: dict[str, object]) -> str:
        raw = json.dumps({"kind": kind, **payload}).encode()
        return base64.urlsafe_b64encode(raw).decode()

    def _decode(self, kind: str, token: str) -> dict[str, object]:
        try:
            payload = json.loads(base64.urlsafe_b64decode(token.encode()))
        except ValueError:
            raise InvalidToken("Token is malformed") from None
        if not isinstance(payload, dict) or payload.get("kind") != kind:
            raise InvalidToken("Token is of the wrong kind")
        if datetime.fromisoformat(str(payload["exp"])) <= self._clock.now():
            raise InvalidToken("Token has expired")
        return payload

    def encode_access(self, claims: AccessClaims) -> str:
        return self._encode(
            "access", {"sub": claims.user_id, "ver": claims.token_version, "exp": claims.expires_at.isoformat()}
        )

    def decode_access(self, token: str) -> AccessClaims:
        p = self._decode("access", token)
        return AccessClaims(int(str(p["sub"])), int(str(p["ver"])), _utc(p["exp"]))

    def encode_refresh(self, claims: RefreshClaims) -> str:
        return self._encode(
            "refresh",
            {
                "sub": claims.user_id,
                "jti": claims.token_id,
                "fam": claims.family_id,
                "ver": claims.token_version,
                "exp": claims.expires_at.isoformat(),
            },
        )

    def decode_refresh(self, token: str) -> RefreshClaims:
        p = self._decode("refresh", token)
        return RefreshClaims(int(str(p["sub"])), str(p["jti"]), str(p["fam"]), int(str(p["ver"])), _utc(p["exp"]))


def _utc(value: object) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


class FakeMediaLinkSigner:
    """Readable tokens with a fixed marker instead of a MAC: altering the marker (or garbage) is refused."""

    MARKER = "fake-signed"

    def sign(self, grant: MediaGrant) -> str:
        fields = (grant.message_id, grant.user_id, grant.token_version, grant.expires_at)
        return ".".join(str(f) for f in fields) + "." + self.MARKER

    def read(self, token: str) -> MediaGrant:
        *fields, marker = token.split(".")
        if marker != self.MARKER or len(fields) != 4 or not all(f.isdigit() for f in fields):
            raise InvalidMediaLink("Media link is malformed or altered")
        message_id, user_id, version, expires_at = (int(f) for f in fields)
        return MediaGrant(message_id, user_id, version, expires_at)
