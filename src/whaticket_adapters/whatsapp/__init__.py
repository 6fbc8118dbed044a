"""WhatsApp transports: neonize (whatsmeow) for real numbers, an in-memory simulator for demos and tests.

Importing this package does not import neonize (an optional extra that loads a Go library and configures logging);
``NeonizeTransport`` is imported on first use.
"""

from typing import TYPE_CHECKING, Any

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.cluster.lease import RedisLease, SessionOwner
from whaticket_adapters.whatsapp.cluster.session_router import SessionCallServer, SessionRouter
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.state import (
    InMemorySimulatorState,
    OutboxItem,
    OutboxMedia,
    RedisSimulatorState,
)
from whaticket_adapters.whatsapp.simulator.transport import SimulatedGroup, SimulatedMedia, SimulatorTransport

if TYPE_CHECKING:
    from whaticket_adapters.whatsapp.neonize.transport import NeonizeTransport

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
        from whaticket_adapters.whatsapp.neonize.transport import NeonizeTransport

        return NeonizeTransport
    raise AttributeError(name)
