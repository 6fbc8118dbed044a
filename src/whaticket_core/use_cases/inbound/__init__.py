"""What WhatsApp tells the core: new messages, edits, deletions, receipts and inbound media downloads.

``inbound_commands`` holds the commands transports hand in; ``queue_bot_steps`` the routing bot's steps.
"""
