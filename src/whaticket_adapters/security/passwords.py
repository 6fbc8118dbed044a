"""argon2id password hashes."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    """:class:`~whaticket_core.ports.PasswordHasher` with argon2-cffi's argon2id defaults (RFC 9106 low-memory).

    Tests may pass cheaper parameters (``time_cost``, ``memory_cost``); hashes stay verifiable across settings because
    the parameters are stored in the hash itself.
    """

    def __init__(
        self, *, time_cost: int | None = None, memory_cost: int | None = None, parallelism: int | None = None
    ) -> None:
        kwargs: dict[str, Any] = {
            k: v
            for k, v in (("time_cost", time_cost), ("memory_cost", memory_cost), ("parallelism", parallelism))
            if v is not None
        }
        self._hasher = PasswordHasher(**kwargs)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
