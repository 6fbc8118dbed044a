"""Signed tokens: JWT with HS256 only.

Access and refresh tokens are told apart twice: they are signed with different secrets and carry a ``typ`` claim, so
a refresh token presented as an access token (or the reverse) is refused even if both secrets were set equal.
Expiry is checked against the injected clock (not PyJWT's system-time check), so tests can move time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import jwt
from jwt.algorithms import HMACAlgorithm

from whaticket_core.domain.auth import AccessClaims, RefreshClaims
from whaticket_core.domain.errors import InvalidToken
from whaticket_core.ports.clock import Clock

ALGORITHM = "HS256"
ISSUER = "whaticket"
_ACCESS = "access"
_REFRESH = "refresh"
VERIFIED_ACCESS_TOKENS = 4096
"""How many access tokens' verified claims a codec keeps. Every bearer-checked request decodes its token again (about
40 µs of signature check, base64 and JSON); an agent's screen sends the same token for its whole lifetime."""


class _PreparedHmac(HMACAlgorithm):
    """HS256 whose keys are prepared once: PyJWT prepares (encodes and inspects for PEM or SSH shapes) the key again
    on every decode, a cost every bearer-checked request paid."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(HMACAlgorithm.SHA256)
        self._prepared = {secret: HMACAlgorithm.prepare_key(self, secret) for secret in secrets}

    def prepare_key(self, key: str | bytes) -> bytes:
        prepared = self._prepared.get(key) if isinstance(key, str) else None
        return prepared if prepared is not None else super().prepare_key(key)


def _hs256_codec(secrets: list[str]) -> jwt.PyJWT:
    """A PyJWT of our own whose HS256 uses the prepared keys (the module-level ``jwt.decode`` is left as it is).
    PyJWT offers no public hook for this; its own PyJWS is where algorithms are registered."""
    codec = jwt.PyJWT()
    jws = getattr(codec, "_jws", None)
    if isinstance(jws, jwt.PyJWS):  # else a PyJWT that changed its insides: prepare per decode, as before
        jws.unregister_algorithm(ALGORITHM)
        jws.register_algorithm(ALGORITHM, _PreparedHmac(secrets))
    return codec


class JwtTokenCodec:
    """:class:`~whaticket_core.ports.TokenCodec` over PyJWT. Only HS256 is accepted: ``alg: none`` and any other
    algorithm fail the signature check; ``exp``, ``sub`` and ``typ`` are required."""

    def __init__(self, access_secret: str, refresh_secret: str, clock: Clock) -> None:
        if not access_secret or not refresh_secret:
            raise ValueError("token secrets must not be empty")
        self._secrets = {_ACCESS: access_secret, _REFRESH: refresh_secret}
        self._clock = clock
        self._jwt = _hs256_codec([access_secret, refresh_secret])
        # A token's signature and claims are a pure function of the token and the secret, so what was verified once
        # holds for as long as the process keeps the secret; expiry is a function of the clock, checked every time.
        # Refused tokens are not kept (lru_cache keeps no exception), so garbage cannot push good entries out.
        self._verified_access = lru_cache(maxsize=VERIFIED_ACCESS_TOKENS)(self._verify_access)

    def _encode(self, kind: str, claims: dict[str, Any], expires_at: datetime) -> str:
        payload = {
            **claims,
            "typ": kind,
            "iss": ISSUER,
            "iat": int(self._clock.now().timestamp()),
            "exp": int(expires_at.timestamp()),
        }
        return self._jwt.encode(payload, self._secrets[kind], algorithm=ALGORITHM)

    def _decode(self, kind: str, token: str, required: list[str]) -> dict[str, Any]:
        payload = self._verify(kind, token, required)
        if payload["exp"] <= self._clock.now():
            raise InvalidToken("Token has expired")
        return payload

    def _verify(self, kind: str, token: str, required: list[str]) -> dict[str, Any]:
        """The token's claims once its signature, issuer and kind hold, ``exp`` as a datetime; expiry not checked."""
        try:
            payload: dict[str, Any] = self._jwt.decode(
                token,
                self._secrets[kind],
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "typ", "iss", *required], "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise InvalidToken("Token is invalid") from None
        if payload.get("typ") != kind:
            raise InvalidToken("Token is of the wrong kind")
        exp = payload["exp"]
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise InvalidToken("Token is invalid")
        try:
            expires_at = datetime.fromtimestamp(exp, UTC)
        except (OverflowError, OSError, ValueError):  # a signed but absurd exp (year 10000+) is refused, not a 500
            raise InvalidToken("Token is invalid") from None
        payload["exp"] = expires_at
        return payload

    def _verify_access(self, token: str) -> AccessClaims:
        p = self._verify(_ACCESS, token, ["ver"])
        return AccessClaims(_int(p["sub"]), _int(p["ver"]), p["exp"])

    def encode_access(self, claims: AccessClaims) -> str:
        return self._encode(_ACCESS, {"sub": str(claims.user_id), "ver": claims.token_version}, claims.expires_at)

    def decode_access(self, token: str) -> AccessClaims:
        claims = self._verified_access(token)
        if claims.expires_at <= self._clock.now():
            raise InvalidToken("Token has expired")
        return claims

    def encode_refresh(self, claims: RefreshClaims) -> str:
        return self._encode(
            _REFRESH,
            {"sub": str(claims.user_id), "jti": claims.token_id, "fam": claims.family_id, "ver": claims.token_version},
            claims.expires_at,
        )

    def decode_refresh(self, token: str) -> RefreshClaims:
        p = self._decode(_REFRESH, token, ["jti", "fam", "ver"])
        if not isinstance(p["jti"], str) or not isinstance(p["fam"], str):
            raise InvalidToken("Token is invalid")
        return RefreshClaims(_int(p["sub"]), p["jti"], p["fam"], _int(p["ver"]), p["exp"])


MAX_CLAIM_INT = 2**63 - 1  # ids are BIGINT; a larger number would overflow the database query


def _int(value: object) -> int:
    """Claims hold ids as strings or ints; anything else, or a number no id or version can be, means a forged or
    foreign token."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidToken("Token is invalid")
    if isinstance(value, str) and not (0 < len(value) <= 19 and value.isascii() and value.isdigit()):
        raise InvalidToken("Token is invalid")
    number = int(value)
    if not 0 <= number <= MAX_CLAIM_INT:
        raise InvalidToken("Token is invalid")
    return number
