"""Password hashing (argon2id), signed tokens (JWT, HS256) and signed media links (HMAC-SHA256)."""

from .media_links import HmacMediaLinkSigner
from .passwords import Argon2PasswordHasher
from .tokens import JwtTokenCodec

__all__ = ["Argon2PasswordHasher", "HmacMediaLinkSigner", "JwtTokenCodec"]
