"""Company-wide settings: known keys, their defaults and allowed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import InvalidInput


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    default: str
    allowed: frozenset[str] | None = None  # None: any value passing ``numeric`` (or anything)
    numeric: bool = False

    def value_of(self, stored: str | None) -> str:
        """The setting's value given what the store holds for it: the stored value whenever one exists, else the
        default (an empty stored string is a value, not an absence)."""
        return stored if stored is not None else self.default


USER_CREATION: Final = "userCreation"
TICKET_REOPEN_WINDOW_MINUTES: Final = "ticketReopenWindowMinutes"
GROUP_MESSAGES: Final = "groupMessages"
CSAT: Final = "csat"
CSAT_QUESTION: Final = "csatQuestion"
DEFAULT_CSAT_QUESTION: Final = (
    "How would you rate our service? Please reply with a single number from 1 (very bad) to 5 (excellent)."
)
AUTO_CLOSE_MINUTES: Final = "autoCloseMinutes"
AUTO_CLOSE_WARNING_MINUTES: Final = "autoCloseWarningMinutes"
AUTO_CLOSE_WARNING: Final = "autoCloseWarning"
AUTO_ASSIGN: Final = "autoAssign"
ROUND_ROBIN: Final = "round_robin"

SPECS: Final[dict[str, SettingSpec]] = {
    spec.key: spec
    for spec in (
        SettingSpec(USER_CREATION, "disabled", frozenset({"enabled", "disabled"})),
        SettingSpec(TICKET_REOPEN_WINDOW_MINUTES, "120", numeric=True),
        SettingSpec(GROUP_MESSAGES, "ignore", frozenset({"ignore", "ticket"})),
        # The satisfaction question sent when a ticket is closed (see ``Ticket.request_rating``).
        SettingSpec(CSAT, "off", frozenset({"off", "on"})),
        SettingSpec(CSAT_QUESTION, DEFAULT_CSAT_QUESTION),
        SettingSpec(AUTO_CLOSE_MINUTES, "0", numeric=True),
        SettingSpec(AUTO_CLOSE_WARNING_MINUTES, "0", numeric=True),
        SettingSpec(AUTO_CLOSE_WARNING, ""),
        SettingSpec(AUTO_ASSIGN, "off", frozenset({"off", ROUND_ROBIN})),
    )
}


def validate_setting(key: str, value: str) -> str:
    spec = SPECS[key]
    if spec.allowed is not None and value not in spec.allowed:
        raise InvalidInput(f"{key} must be one of {sorted(spec.allowed)}", "value")
    if key == CSAT_QUESTION and not 1 <= len(value.strip()) <= 4096:
        raise InvalidInput(f"{key} must be 1 to 4096 characters", "value")
    if spec.numeric and (not value.isdigit() or int(value) > 525_600):
        raise InvalidInput(f"{key} must be a whole number of minutes (at most a year)", "value")
    return value
