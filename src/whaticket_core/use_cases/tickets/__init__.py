"""The ticket lifecycle: create, accept, transfer, close, reopen, read, delete, the generic update, and ticket reads.

``ticket_steps`` holds the steps the actions share, so the generic update obeys exactly their rules.
"""
