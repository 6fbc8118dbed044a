"""The address of the running server the client-facing tests talk to (a module of its own, so test files can import
it whatever other ``conftest`` modules a run collects)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServedApp:
    url: str
    log: Path

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"
