"""Socket.IO on the API's port: auth, rooms, and the core's EventPublisher port (see docs/realtime.md)."""

from .gateway import RealtimeGateway
from .gateway_ports import Authenticate, SocketUser, TicketPlacementLookup
from .publisher import SocketIoEventPublisher
from .routing import Delivery, deliveries_for
from .sockets import DEFAULT_CHANNEL, SocketServer, write_only_publisher

__all__ = [
    "DEFAULT_CHANNEL",
    "Authenticate",
    "Delivery",
    "RealtimeGateway",
    "SocketIoEventPublisher",
    "SocketServer",
    "SocketUser",
    "TicketPlacementLookup",
    "deliveries_for",
    "write_only_publisher",
]
