"""``whaticket worker`` whose processing of stored inbound events never finishes: fault injection for the inbox's
crash test.

Processing first creates the file named by PIPELINE_BLOCK_INBOX_MARKER (so the test knows the worker is inside it:
the event stored, not yet processed), then waits forever for the SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from whaticket_api.cli import main
from whaticket_api.inbound_dispatch import UseCaseDispatcher


async def _blocked_dispatch(self: UseCaseDispatcher, *args: Any, **kwargs: Any) -> object:
    await asyncio.to_thread(Path(os.environ["PIPELINE_BLOCK_INBOX_MARKER"]).touch)
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


if __name__ == "__main__":
    UseCaseDispatcher.dispatch = _blocked_dispatch  # type: ignore[method-assign]
    sys.exit(main())
