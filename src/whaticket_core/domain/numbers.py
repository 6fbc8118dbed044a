"""Phone-number normalisation: every number is stored as E.164 digits without the ``+``."""

from __future__ import annotations

from .errors import InvalidInput

MIN_DIGITS = 7  # the shortest E.164 numbers in use (small island states) have 7 digits
MAX_DIGITS = 15  # E.164 maximum


def normalize_number(raw: str) -> str:
    """Return the digits of ``raw`` in international form.

    Accepts what users and WhatsApp hand us: ``+55 (11) 99999-9999``, ``0055...`` (international dialling prefix),
    or a WhatsApp JID such as ``5511999999999:12@s.whatsapp.net`` (device suffix and server are dropped).
    Raises :class:`InvalidInput` when fewer than 7 or more than 15 digits remain, or they start with 0.
    """
    text = raw.strip()
    if "@" in text:
        text = text.split("@", 1)[0]
        text = text.split(":", 1)[0]
    # What WhatsApp hands over (a JID's user part) is digits already: nothing to filter out, character by character.
    digits = text if text.isdigit() and text.isascii() else "".join(ch for ch in text if ch.isdigit() and ch.isascii())
    if not text.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    # No country code starts with 0: a leading 0 left here is a national trunk prefix or a "+00", and keeping it would
    # make the stored number normalise to something else the next time (``0012...`` -> ``12...``).
    if digits.startswith("0") or not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise InvalidInput(f"{raw!r} is not a phone number in international form", "number")
    return digits


def normalize_group_id(raw: str) -> str:
    """A WhatsApp group id (``120363...@g.us`` or its digits-and-dash user part), kept as the user part."""
    text = raw.strip().split("@", 1)[0]
    if not text or not all(ch.isdigit() or ch == "-" for ch in text):
        raise InvalidInput(f"{raw!r} is not a WhatsApp group id", "group")
    return text


MAX_LID_DIGITS = 20  # LIDs seen so far have 14 or 15 digits; leave room without accepting arbitrary text


def normalize_lid(raw: str) -> str:
    """A WhatsApp hidden-number user id (``123456789012345@lid``, optionally with a ``:device`` suffix) as its digits.

    Raises :class:`InvalidInput` when what remains is not 1 to 20 ASCII digits.
    """
    text = raw.strip().split("@", 1)[0].split(":", 1)[0]
    if not text or len(text) > MAX_LID_DIGITS or not all(ch.isdigit() and ch.isascii() for ch in text):
        raise InvalidInput(f"{raw!r} is not a WhatsApp LID", "lid")
    return text
