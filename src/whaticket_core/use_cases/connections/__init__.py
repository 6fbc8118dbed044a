"""WhatsApp connections: managing them (``whatsapps``) and driving their sessions (``whatsapp_sessions``), including
the status and QR code updates the transports report."""
