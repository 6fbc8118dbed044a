from __future__ import annotations

from typing import Protocol

from ..domain.auth import AccessClaims, RefreshClaims
from ..domain.media_links import MediaGrant


class PasswordHasher(Protocol):
    """One-way password hashing (argon2id in production). ``verify`` returns False on a mismatch, never raises."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class TokenCodec(Protocol):
    """Signs and checks tokens. Access and refresh tokens are distinct kinds: decoding one as the other, a bad
    signature, an unexpected algorithm or an expired token raises
    :class:`~whaticket_core.domain.errors.InvalidToken`."""

    def encode_access(self, claims: AccessClaims) -> str: ...

    def decode_access(self, token: str) -> AccessClaims: ...

    def encode_refresh(self, claims: RefreshClaims) -> str: ...

    def decode_refresh(self, token: str) -> RefreshClaims: ...


class MediaLinkSigner(Protocol):
    """Turns a :class:`MediaGrant` into an opaque, tamper-proof token for a URL, and back. ``read`` raises
    :class:`~whaticket_core.domain.errors.InvalidMediaLink` for a token it did not sign or that was altered; expiry
    is not its concern (the use case judges it on the clock)."""

    def sign(self, grant: MediaGrant) -> str: ...

    def read(self, token: str) -> MediaGrant: ...
