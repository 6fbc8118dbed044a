"""The real password hasher and token codec: what they accept and, above all, what they refuse."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.security import Argon2PasswordHasher, JwtTokenCodec
from whaticket_core.domain.auth import AccessClaims, RefreshClaims
from whaticket_core.domain.errors import InvalidToken
from whaticket_core.testing import ManualClock

ACCESS_SECRET = "a" * 64
REFRESH_SECRET = "r" * 64


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def codec(clock: ManualClock) -> JwtTokenCodec:
    return JwtTokenCodec(ACCESS_SECRET, REFRESH_SECRET, clock)


def _access(clock: ManualClock, minutes: int = 15) -> AccessClaims:
    return AccessClaims(user_id=7, token_version=3, expires_at=clock.now() + timedelta(minutes=minutes))


def _refresh(clock: ManualClock) -> RefreshClaims:
    return RefreshClaims(7, "tok-1", "fam-1", 3, clock.now() + timedelta(days=7))


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_argon2_hash_is_argon2id_and_verifies() -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost=8192)
    hashed = hasher.hash("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert hasher.verify(hashed, "correct horse")
    assert not hasher.verify(hashed, "wrong horse")
    assert not hasher.verify("not-a-hash", "correct horse")


def test_access_token_round_trip(codec: JwtTokenCodec, clock: ManualClock) -> None:
    claims = _access(clock)
    decoded = codec.decode_access(codec.encode_access(claims))
    assert (decoded.user_id, decoded.token_version) == (7, 3)
    assert decoded.expires_at == claims.expires_at.replace(microsecond=0)


def test_refresh_token_round_trip(codec: JwtTokenCodec, clock: ManualClock) -> None:
    decoded = codec.decode_refresh(codec.encode_refresh(_refresh(clock)))
    assert (decoded.user_id, decoded.token_id, decoded.family_id, decoded.token_version) == (7, "tok-1", "fam-1", 3)


def test_token_header_says_hs256(codec: JwtTokenCodec, clock: ManualClock) -> None:
    assert jwt.get_unverified_header(codec.encode_access(_access(clock)))["alg"] == "HS256"


def test_expired_access_token_is_refused(codec: JwtTokenCodec, clock: ManualClock) -> None:
    token = codec.encode_access(_access(clock))
    clock.advance(timedelta(minutes=15, seconds=1))
    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_refresh_token_is_not_an_access_token_and_back(codec: JwtTokenCodec, clock: ManualClock) -> None:
    with pytest.raises(InvalidToken):
        codec.decode_access(codec.encode_refresh(_refresh(clock)))
    with pytest.raises(InvalidToken):
        codec.decode_refresh(codec.encode_access(_access(clock)))


def test_kinds_stay_apart_even_with_one_secret(clock: ManualClock) -> None:
    same = JwtTokenCodec(ACCESS_SECRET, ACCESS_SECRET, clock)
    with pytest.raises(InvalidToken):
        same.decode_access(same.encode_refresh(_refresh(clock)))


def test_bad_signature_is_refused(codec: JwtTokenCodec, clock: ManualClock) -> None:
    other = JwtTokenCodec("x" * 64, REFRESH_SECRET, clock)
    with pytest.raises(InvalidToken):
        codec.decode_access(other.encode_access(_access(clock)))


def test_alg_none_is_refused(codec: JwtTokenCodec, clock: ManualClock) -> None:
    payload = {"sub": "7", "ver": 3, "typ": "access", "iss": "whaticket", "exp": int(clock.now().timestamp()) + 600}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    with pytest.raises(InvalidToken):
        codec.decode_access(unsigned)


def test_other_algorithm_with_right_secret_is_refused(codec: JwtTokenCodec, clock: ManualClock) -> None:
    payload = {"sub": "7", "ver": 3, "typ": "access", "iss": "whaticket", "exp": int(clock.now().timestamp()) + 600}
    token = jwt.encode(payload, ACCESS_SECRET, algorithm="HS512")
    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_token_without_exp_is_refused(codec: JwtTokenCodec) -> None:
    token = jwt.encode({"sub": "7", "ver": 3, "typ": "access", "iss": "whaticket"}, ACCESS_SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        codec.decode_access(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_refused(codec: JwtTokenCodec, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        codec.decode_access(garbage)


def test_empty_secret_is_rejected_at_construction(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="secrets"):
        JwtTokenCodec("", REFRESH_SECRET, clock)


def test_system_clock_is_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_the_secrets_are_prepared_once_not_at_every_decode(
    codec: JwtTokenCodec, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jwt.algorithms import HMACAlgorithm

    token = codec.encode_access(_access(clock))
    prepared: list[object] = []
    original = HMACAlgorithm.prepare_key

    def counting(self: HMACAlgorithm, key: str | bytes) -> bytes:
        prepared.append(key)
        return original(self, key)

    monkeypatch.setattr(HMACAlgorithm, "prepare_key", counting)
    for _ in range(3):
        assert codec.decode_access(token).user_id == 7
    assert prepared == []
    # The prepared key still verifies: a token signed with another one is refused.
    forged = jwt.encode({"sub": "7", "typ": "access", "iss": "whaticket", "exp": 4102444800, "ver": 3}, "x" * 64)
    with pytest.raises(InvalidToken):
        codec.decode_access(forged)


def test_an_access_token_is_verified_once_and_its_expiry_checked_at_every_decode(
    codec: JwtTokenCodec, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = codec.encode_access(_access(clock))
    verified: list[str] = []
    original = jwt.PyJWT.decode

    def counting(self: jwt.PyJWT, jwt_: str, *args: object, **kwargs: object) -> object:
        verified.append(jwt_)
        return original(self, jwt_, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt.PyJWT, "decode", counting)
    for _ in range(3):
        assert codec.decode_access(token).user_id == 7
    assert verified == [token]
    clock.advance(timedelta(minutes=15, seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        codec.decode_access(token)


def test_a_refused_token_is_checked_again_every_time(codec: JwtTokenCodec, clock: ManualClock) -> None:
    token = codec.encode_access(_access(clock))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            codec.decode_access(tampered)
    assert codec.decode_access(token).user_id == 7
    with pytest.raises(InvalidToken):
        codec.decode_access(tampered)
