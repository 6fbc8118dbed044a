"""Sessions across processes: one holder per connection under a Redis lease, reached by the others through typed
session calls on its own SAQ queue."""

from .lease import RedisLease, SessionOwner
from .session_calls import Answer, SessionCall
from .session_router import SessionCallServer, SessionRouter, session_queue_name

__all__ = [
    "Answer",
    "RedisLease",
    "SessionCall",
    "SessionCallServer",
    "SessionOwner",
    "SessionRouter",
    "session_queue_name",
]
