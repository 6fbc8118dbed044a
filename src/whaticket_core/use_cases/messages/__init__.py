"""Messages agents write and their delivery: send, edit, delete, the outbox job and its sweeper, read receipts and
message reads. ``message_steps`` and ``outbound_steps`` hold the steps these share."""
