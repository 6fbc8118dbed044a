"""The container's providers: infrastructure, security, and the use cases of each area."""

from .auth import AuthProvider, CallerProvider, MediaLinks, MissingToken, bearer_token
from .infrastructure import InfrastructureProvider, RedisHandle
from .use_cases import use_case_providers

__all__ = [
    "AuthProvider",
    "CallerProvider",
    "InfrastructureProvider",
    "MediaLinks",
    "MissingToken",
    "RedisHandle",
    "bearer_token",
    "use_case_providers",
]
