"""WhatsApp transports: neonize (whatsmeow) for real numbers, an in-memory simulator for demos and tests.

Importing this package does not import neonize (an optional extra that loads a Go library and configures logging);
``NeonizeTransport`` is imported on first use.
"""

from typing import TYPE_CHECKING, Any

from .backoff import Backoff
from .handlers import TransportHandlers
from .lease import RedisLease, SessionOwner
from .routing import SessionCallServer, SessionRouter
from .simulator import SimulatedGroup, SimulatedMedia, SimulatorTransport
from .simulator_state import InMemorySimulatorState, OutboxItem, OutboxMedia, RedisSimulatorState

if TYPE_CHECKING:
    from .neonize_transport import NeonizeTransport

__all__ = [
    "Backoff",
    "InMemorySimulatorState",
    "NeonizeTransport",
    "OutboxItem",
    "OutboxMedia",
    "RedisLease",
    "RedisSimulatorState",
    "SessionCallServer",
    "SessionOwner",
    "SessionRouter",
    "SimulatedGroup",
    "SimulatedMedia",
    "SimulatorTransport",
    "TransportHandlers",
]


def __getattr__(name: str) -> Any:
    if name == "NeonizeTransport":
        from .neonize_transport import NeonizeTransport

        return NeonizeTransport
    raise AttributeError(name)
