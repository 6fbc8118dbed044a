"""``whaticket worker`` whose simulated sends never finish: the test harness's fault injection for crash tests.

A send first creates the file named by PIPELINE_BLOCK_SENDS_MARKER (so the test knows the delivery job is inside the
transport call: its message committed ``pending`` and locked, nothing sent), then waits forever for the SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_api.cli import main


async def _blocked_send(self: SimulatorTransport, *args: Any, **kwargs: Any) -> str:
    await asyncio.to_thread(Path(os.environ["PIPELINE_BLOCK_SENDS_MARKER"]).touch)
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


if __name__ == "__main__":
    SimulatorTransport.send_text = _blocked_send  # type: ignore[method-assign]
    SimulatorTransport.send_media = _blocked_send  # type: ignore[method-assign]
    sys.exit(main())
