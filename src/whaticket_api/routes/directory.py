"""Routers of the directory resources (contacts, queues, quick answers, settings, connections)."""

from __future__ import annotations

from dishka.integrations.litestar import DishkaRouter

from . import contacts, queues, quick_answers, settings, whatsapps


def routers() -> list[DishkaRouter]:
    return [contacts.router, queues.router, quick_answers.router, settings.router, whatsapps.router]
