"""WhatsApp transports: neonize (whatsmeow) for real numbers, an in-memory simulator for demos and tests.

Importing this package does not import neonize (an optional extra that loads a Go library and configures logging);
``NeonizeTransport`` is imported on first use.
"""

from typing import TYPE_CHECKING, Any

from .backoff import Backoff
from .cluster import RedisLease, SessionCallServer, SessionOwner, SessionRouter
from .handlers import TransportHandlers
from .ports import WhatsAppPorts, WhatsAppTransport
from .simulator import (
    InMemorySimulatorState,
    OutboxItem,
    RedisSimulatorState,
    SimulatedGroup,
    SimulatedMedia,
    SimulatorTransport,
)

if TYPE_CHECKING:
    from .neonize import NeonizeTransport

__all__ = [
    "Backoff",
    "InMemorySimulatorState",
    "NeonizeTransport",
    "OutboxItem",
    "RedisLease",
    "RedisSimulatorState",
    "SessionCallServer",
    "SessionOwner",
    "SessionRouter",
    "SimulatedGroup",
    "SimulatedMedia",
    "SimulatorTransport",
    "TransportHandlers",
    "WhatsAppPorts",
    "WhatsAppTransport",
]


def __getattr__(name: str) -> Any:
    if name == "NeonizeTransport":
        from .neonize import NeonizeTransport

        return NeonizeTransport
    raise AttributeError(name)
