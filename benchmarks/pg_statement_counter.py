"""A TCP relay in front of PostgreSQL that counts what clients send: statements executed and statements prepared.

Counts protocol messages, not SQL: ``Q`` (a simple query: ``BEGIN``, ``ROLLBACK``, a statement without parameters)
and ``E`` (executing a prepared statement) are statements; ``P`` (parse) is a preparation, i.e. a round trip more.
Not a benchmark itself: ``ab_hot_reads.py`` points a server's ``DATABASE_URL`` at one to report statements per
request. Only for a local server without TLS (an ``SSLRequest`` is answered "no" by the relay itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections import Counter
from dataclasses import dataclass, field

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


@dataclass
class StatementCounter:
    target_host: str
    target_port: int
    counts: Counter[str] = field(default_factory=Counter)
    _server: asyncio.Server | None = None

    @property
    def statements(self) -> int:
        return self.counts["Q"] + self.counts["E"]

    @property
    def prepared(self) -> int:
        return self.counts["P"]

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                self._from_client(client_reader, client_writer, server_writer),
                self._pipe(server_reader, client_writer),
            )
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    async def _from_client(
        self, reader: asyncio.StreamReader, client: asyncio.StreamWriter, server: asyncio.StreamWriter
    ) -> None:
        # Start-up messages have no type byte: a length, then a code (SSL/GSS requests) or the protocol version.
        while True:
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                client.write(b"N")  # no TLS through the relay: the client goes on in plain text
                await client.drain()
                continue
            server.write(head + await reader.readexactly(length - 8))
            await server.drain()
            break
        while True:
            kind = await reader.readexactly(1)
            size = await reader.readexactly(4)
            body = await reader.readexactly(struct.unpack("!i", size)[0] - 4)
            self.counts[kind.decode("latin-1")] += 1
            server.write(kind + size + body)
            await server.drain()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
        writer.close()
