"""The container's providers: infrastructure, security, and the use cases of each area."""

from .auth import AuthProvider, CallerProvider, MissingToken
from .infrastructure import InfrastructureProvider, RedisHandle
from .use_cases import use_case_providers

__all__ = [
    "AuthProvider",
    "CallerProvider",
    "InfrastructureProvider",
    "MissingToken",
    "RedisHandle",
    "use_case_providers",
]
