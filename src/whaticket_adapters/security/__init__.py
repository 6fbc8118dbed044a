"""Password hashing (argon2id) and signed tokens (JWT, HS256)."""

from .passwords import Argon2PasswordHasher
from .tokens import JwtTokenCodec

__all__ = ["Argon2PasswordHasher", "JwtTokenCodec"]
