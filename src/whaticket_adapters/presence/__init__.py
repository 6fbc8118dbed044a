"""Who is online: agents' live sockets, counted in this process or, with Redis, across every server process."""

from .memory import InMemoryPresence
from .redis import RedisPresence

__all__ = ["InMemoryPresence", "RedisPresence"]
