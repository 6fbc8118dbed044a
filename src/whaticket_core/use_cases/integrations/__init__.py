"""Integrations: API tokens that let other systems use the REST API, and (webhooks) events pushed to them."""
