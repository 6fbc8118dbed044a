"""Rows to domain objects and domain objects to column values: the only place the two shapes meet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Row

from whaticket_core.domain.auth import RefreshToken
from whaticket_core.domain.business_hours import WEEKDAYS, BusinessHours, HoursScope, HoursTarget, Ranges, TimeRange
from whaticket_core.domain.contact import Contact, ExtraInfo
from whaticket_core.domain.message import MediaType, Message, MessageAck, Reaction, SendErrorKind
from whaticket_core.domain.quick_answer import QuickAnswer
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp

TICKET_FIELDS = (
    "contact_id",
    "whatsapp_id",
    "queue_id",
    "user_id",
    "unread_messages",
    "last_message",
    "last_message_at",
    "is_group",
    "created_at",
    "updated_at",
    "closed_at",
    "bot_menu_sent_at",
    "bot_attempts",
    "rating",
    "rating_requested_at",
    "idle_since",
    "close_warned_at",
    "away_sent_at",
)
MESSAGE_FIELDS = (
    "user_id",
    "send_at",
    "cancel_if_replied",
    "ticket_id",
    "contact_id",
    "whatsapp_id",
    "from_me",
    "body",
    "created_at",
    "wa_message_id",
    "media_key",
    "media_mime",
    "media_name",
    "media_ref",
    "quoted_message_id",
    "is_edited",
    "is_deleted",
    "error",
    "participant",
    "participant_name",
    "delivery_attempts",
    "delivery_claimed_at",
    "undecryptable",
)


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in TICKET_FIELDS}
    values["status"] = ticket.status.value
    return values


def ticket_of(row: Row[Any]) -> Ticket:
    m = row._mapping
    return Ticket(status=TicketStatus(m["status"]), id=m["id"], **{name: m[name] for name in TICKET_FIELDS})


def message_values(message: Message) -> dict[str, Any]:
    values = {name: getattr(message, name) for name in MESSAGE_FIELDS}
    values["ack"] = message.ack.value
    values["media_type"] = message.media_type.value if message.media_type is not None else None
    values["reactions"] = [reaction_value(r) for r in message.reactions]
    values["error_kind"] = message.error_kind.value if message.error_kind is not None else None
    return values


def message_of(row: Row[Any]) -> Message:
    m = row._mapping
    return Message(
        ack=MessageAck(m["ack"]),
        media_type=MediaType(m["media_type"]) if m["media_type"] is not None else None,
        reactions=[reaction_of(r) for r in m["reactions"] or []],
        error_kind=SendErrorKind(m["error_kind"]) if m["error_kind"] is not None else None,
        id=m["id"],
        **{name: m[name] for name in MESSAGE_FIELDS},
    )


def reaction_value(reaction: Reaction) -> dict[str, Any]:
    return {
        "emoji": reaction.emoji,
        "fromMe": reaction.from_me,
        "at": reaction.at.isoformat(),
        "sender": reaction.sender,
    }


def reaction_of(value: dict[str, Any]) -> Reaction:
    at = datetime.fromisoformat(value["at"])
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return Reaction(value["emoji"], bool(value["fromMe"]), at, value.get("sender"))


def contact_values(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "number": contact.number,
        "lid": contact.lid,
        "email": contact.email,
        "profile_pic_url": contact.profile_pic_url,
        "is_group": contact.is_group,
        "extra_info": [{"name": e.name, "value": e.value} for e in contact.extra_info],
        "created_at": contact.created_at,
    }


def contact_of(row: Row[Any]) -> Contact:
    m = row._mapping
    return Contact(
        id=m["id"],
        name=m["name"],
        number=m["number"],
        lid=m["lid"],
        email=m["email"],
        profile_pic_url=m["profile_pic_url"],
        is_group=m["is_group"],
        extra_info=[ExtraInfo(e["name"], e["value"]) for e in m["extra_info"] or []],
        created_at=m["created_at"],
    )


def user_values(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "password_hash": user.password_hash,
        "role": user.role.value,
        "whatsapp_id": user.whatsapp_id,
        "token_version": user.token_version,
        "max_open_tickets": user.max_open_tickets,
        "created_at": user.created_at,
    }


def user_of(row: Row[Any], queue_ids: list[int]) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        name=m["name"],
        email=m["email"],
        password_hash=m["password_hash"],
        role=Role(m["role"]),
        whatsapp_id=m["whatsapp_id"],
        token_version=m["token_version"],
        max_open_tickets=m["max_open_tickets"],
        created_at=m["created_at"],
        queue_ids=queue_ids,
    )


def whatsapp_values(whatsapp: WhatsApp) -> dict[str, Any]:
    return {
        "name": whatsapp.name,
        "status": whatsapp.status.value,
        "is_default": whatsapp.is_default,
        "number": whatsapp.number,
        "greeting_message": whatsapp.greeting_message,
        "farewell_message": whatsapp.farewell_message,
        "qrcode": whatsapp.qrcode,
        "reject_calls": whatsapp.reject_calls,
        "call_reject_message": whatsapp.call_reject_message,
        "banned_until": whatsapp.banned_until,
        "updated_at": whatsapp.updated_at,
    }


def whatsapp_of(row: Row[Any], queue_ids: list[int]) -> WhatsApp:
    m = row._mapping
    return WhatsApp(
        id=m["id"],
        name=m["name"],
        status=ConnectionStatus(m["status"]),
        is_default=m["is_default"],
        number=m["number"],
        greeting_message=m["greeting_message"],
        farewell_message=m["farewell_message"],
        qrcode=m["qrcode"],
        reject_calls=m["reject_calls"],
        call_reject_message=m["call_reject_message"],
        banned_until=m["banned_until"],
        updated_at=m["updated_at"],
        queue_ids=queue_ids,
    )


def quick_answer_of(row: Row[Any]) -> QuickAnswer:
    m = row._mapping
    return QuickAnswer(id=m["id"], shortcut=m["shortcut"], message=m["message"])


def refresh_token_values(token: RefreshToken) -> dict[str, Any]:
    return {
        "token_id": token.token_id,
        "family_id": token.family_id,
        "user_id": token.user_id,
        "expires_at": token.expires_at,
        "created_at": token.created_at,
        "used_at": token.used_at,
        "revoked": token.revoked,
    }


def refresh_token_of(row: Row[Any]) -> RefreshToken:
    m = row._mapping
    return RefreshToken(
        token_id=m["token_id"],
        family_id=m["family_id"],
        user_id=m["user_id"],
        expires_at=m["expires_at"],
        created_at=m["created_at"],
        used_at=m["used_at"],
        revoked=m["revoked"],
    )


def _ranges_value(ranges: Ranges) -> list[list[int]]:
    return [[r.start, r.end] for r in ranges]


def _ranges_of(raw: list[list[int]]) -> Ranges:
    return tuple(TimeRange(int(start), int(end)) for start, end in raw)


def business_hours_values(target: HoursTarget, hours: BusinessHours) -> dict[str, Any]:
    """Ranges are stored as local minutes since midnight, exceptions by ISO date."""
    return {
        "key": target.key,
        "whatsapp_id": target.target_id if target.scope is HoursScope.WHATSAPP else None,
        "queue_id": target.target_id if target.scope is HoursScope.QUEUE else None,
        "timezone": hours.timezone,
        "week": {day: _ranges_value(ranges) for day, ranges in zip(WEEKDAYS, hours.week, strict=True)},
        "exceptions": {day.isoformat(): _ranges_value(ranges) for day, ranges in sorted(hours.exceptions.items())},
        "away_message": hours.away_message,
    }


def business_hours_of(row: Row[Any]) -> BusinessHours:
    m = row._mapping
    return BusinessHours(
        timezone=m["timezone"],
        week=tuple(_ranges_of(m["week"].get(day, [])) for day in WEEKDAYS),
        exceptions={date.fromisoformat(day): _ranges_of(raw) for day, raw in m["exceptions"].items()},
        away_message=m["away_message"],
    )
