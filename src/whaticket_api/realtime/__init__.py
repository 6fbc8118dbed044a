"""Socket.IO on the API's port: auth, rooms, and the core's EventPublisher port (the wire's realtime part)."""

from .gateway import (
    DEFAULT_CHANNEL,
    Authenticate,
    RealtimeGateway,
    SocketUser,
    TicketPlacementLookup,
    write_only_publisher,
)
from .publisher import SocketIoEventPublisher
from .routing import Delivery, deliveries_for

__all__ = [
    "DEFAULT_CHANNEL",
    "Authenticate",
    "Delivery",
    "RealtimeGateway",
    "SocketIoEventPublisher",
    "SocketUser",
    "TicketPlacementLookup",
    "deliveries_for",
    "write_only_publisher",
]
