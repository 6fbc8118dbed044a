"""Quick answers: canned replies agents insert by shortcut."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class QuickAnswer:
    shortcut: str
    message: str
    id: int = 0
