"""Typed domain errors.

Each error has a stable snake_case ``code`` that clients switch on, a human message and optional ``details``.
They are grouped by kind (not found, conflict, forbidden, ...); the API maps kinds to HTTP statuses in one table.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details


# --- kinds -------------------------------------------------------------------------------------------------


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class InvalidInput(DomainError):
    """A value that breaks a domain rule (range, format); ``details['fields']`` names the fields."""

    code = "validation_error"

    def __init__(self, message: str, *fields: str) -> None:
        super().__init__(message, fields=list(fields))


# --- not found ---------------------------------------------------------------------------------------------


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class MessageNotFound(NotFound):
    code = "message_not_found"


class ContactNotFound(NotFound):
    code = "contact_not_found"


class QueueNotFound(NotFound):
    code = "queue_not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


class WhatsAppNotFound(NotFound):
    code = "whatsapp_not_found"


class QuickAnswerNotFound(NotFound):
    code = "quick_answer_not_found"


class SettingNotFound(NotFound):
    code = "setting_not_found"


class TagNotFound(NotFound):
    code = "tag_not_found"


class MediaNotFound(NotFound):
    code = "media_not_found"


class InboxFailureNotFound(NotFound):
    code = "inbox_failure_not_found"


# --- conflicts ---------------------------------------------------------------------------------------------


class TicketAlreadyOpen(Conflict):
    code = "ticket_already_open"


class TicketIsClosed(Conflict):
    code = "ticket_closed"


class InvalidTicketTransition(Conflict):
    code = "invalid_ticket_transition"


class ContactExists(Conflict):
    code = "contact_exists"


class EmailTaken(Conflict):
    code = "email_taken"


class QueueNameTaken(Conflict):
    code = "queue_name_taken"


class QueueColorTaken(Conflict):
    code = "queue_color_taken"


class WhatsAppNameTaken(Conflict):
    code = "whatsapp_name_taken"


class QuickAnswerShortcutTaken(Conflict):
    code = "quick_answer_shortcut_taken"


class TagNameTaken(Conflict):
    code = "tag_name_taken"


class LastAdmin(Conflict):
    code = "last_admin"


class DefaultWhatsAppRequired(Conflict):
    code = "default_whatsapp_required"


class NoWhatsAppConnection(Conflict):
    code = "no_whatsapp_connection"


class MessageNotEditable(Conflict):
    code = "message_not_editable"


class WhatsAppNotConnected(Conflict):
    code = "whatsapp_not_connected"


class NoteNotSendable(Conflict):
    """Something asked to send an internal note to WhatsApp: refused, whatever the path."""

    code = "note_not_sendable"


class ConcurrentUpdate(Conflict):
    """Two writers raced for the same row and this one lost even after retrying."""

    code = "concurrent_update"


# --- forbidden / unauthorized ------------------------------------------------------------------------------


class RegistrationDisabled(Forbidden):
    code = "registration_disabled"


class ActionForbidden(Forbidden):
    code = "forbidden"


class CurrentPasswordInvalid(Forbidden):
    """A user changing their own password must give the current one (a stolen access token is not enough)."""

    code = "current_password_invalid"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class InvalidToken(Unauthorized):
    code = "invalid_token"


class InvalidMediaLink(Unauthorized):
    """A signed media link that was altered, names another message, or whose user's sessions ended since."""

    code = "media_link_invalid"


class MediaLinkExpired(Unauthorized):
    code = "media_link_expired"


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"


class ApiTokenNotFound(NotFound):
    code = "api_token_not_found"


class WebhookNotFound(NotFound):
    code = "webhook_not_found"


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"


class WebhookUrlForbidden(InvalidInput):
    """A webhook URL that resolves to a loopback, private, link-local or otherwise internal address."""

    code = "webhook_url_forbidden"

    def __init__(self, message: str) -> None:
        super().__init__(message, "url")


class InsufficientScope(Forbidden):
    """An API token used outside its scopes (or on a route no token may use)."""

    code = "insufficient_scope"


class QrCodeNotFound(NotFound):
    code = "qrcode_not_found"
