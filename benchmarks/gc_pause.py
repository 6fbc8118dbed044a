"""How long a full garbage collection stalls a started API process, before and after its start-up heap is frozen.

    .venv/bin/python benchmarks/gc_pause.py [--rounds 20]

Builds and starts the app ``whaticket serve`` runs (``build_server``: embedded SQLite in a temporary folder, simulated
WhatsApp, listening on a free port of 127.0.0.1 and sent nothing), then times ``gc.collect()`` (a full collection,
what CPython runs now and then in the middle of requests) ``--rounds`` times, freezes the heap as ``serve`` does
after start-up (``gc.freeze()``), and times it again. Prints the objects the collector tracks and the median / max
pause of each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import secrets
import socket
import statistics
import tempfile
import time
from pathlib import Path

import uvicorn

from whaticket_api.heap import freeze_startup_heap
from whaticket_api.serve import prepare
from whaticket_api.server import build_server
from whaticket_api.settings import Settings


def _pauses(rounds: int) -> list[float]:
    pauses = []
    for _ in range(rounds):
        started = time.perf_counter()
        gc.collect()
        pauses.append((time.perf_counter() - started) * 1000)
    return pauses


def _line(name: str, pauses: list[float]) -> str:
    return f"{name:22} median {statistics.median(pauses):8.3f} ms, max {max(pauses):8.3f} ms"


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="whaticket_gc_") as folder:
        settings = Settings(
            jwt_secret=secrets.token_urlsafe(48),
            jwt_refresh_secret=secrets.token_urlsafe(48),
            data_dir=Path(folder) / "data",
            whatsapp_transport="simulator",
        )
        await asyncio.to_thread(prepare, settings)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = uvicorn.Config(build_server(settings), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:  # the start-up hooks have run: the heap is what serve would freeze
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        try:
            tracked = len(gc.get_objects())
            before = _pauses(rounds)
            frozen = freeze_startup_heap()
            after = _pauses(rounds)
            gc.unfreeze()
        finally:
            server.should_exit = True
            await task
    print(f"objects tracked by the collector after start-up: {tracked:,}; frozen: {frozen:,}")
    print(_line("full collection", before))
    print(_line("after gc.freeze()", after))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
