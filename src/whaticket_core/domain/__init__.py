"""Entities, value objects, the ticket state machine, domain events and typed errors."""
