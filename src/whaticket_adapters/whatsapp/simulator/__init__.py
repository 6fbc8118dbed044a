"""The simulated WhatsApp (``WHATSAPP_TRANSPORT=simulator``): driven from outside, its sessions and outbox kept in
memory or, across processes, in Redis."""

from .inbound import SimulatedGroup
from .state import InMemorySimulatorState, OutboxItem, RedisSimulatorState, SimulatedMedia, SimulatorState
from .transport import SimulatorTransport

__all__ = [
    "InMemorySimulatorState",
    "OutboxItem",
    "RedisSimulatorState",
    "SimulatedGroup",
    "SimulatedMedia",
    "SimulatorState",
    "SimulatorTransport",
]
