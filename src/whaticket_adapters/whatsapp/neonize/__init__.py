"""WhatsApp over neonize (whatsmeow). Importing this package loads neonize (a Go library that configures logging)."""

from .session_store import prepare_postgres_store, session_store_for
from .transport import NeonizeTransport

__all__ = ["NeonizeTransport", "prepare_postgres_store", "session_store_for"]
