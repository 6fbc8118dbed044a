"""Customer satisfaction (CSAT): which reply answers the question sent on closing."""

from __future__ import annotations

_SCORES = {str(n): n for n in range(1, 6)}


def rating_of(body: str) -> int | None:
    """The score a reply gives: the message is exactly one digit from 1 to 5 (surrounding blanks aside, which a
    phone's keyboard may add). ``5!``, ``five``, ``10`` or ``5 stars`` are ordinary messages, never a rating."""
    return _SCORES.get(body.strip())
