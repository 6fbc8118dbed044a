"""Webhook delivery over HTTP (httpx), and the check that keeps webhooks off internal addresses."""

from .addresses import ResolvingUrlGuard, is_internal
from .httpx_sender import HttpxWebhookSender

__all__ = ["HttpxWebhookSender", "ResolvingUrlGuard", "is_internal"]
