"""A TCP relay on loopback in front of the PostgreSQL server, that a test can cut and restore: to the app behind
it, the database goes away (every connection reset, new ones refused) and comes back, as when it restarts."""
from __future__ import annotations

import asyncio
import random
import socket


def _port_outside_the_ephemeral_range() -> int:
    """A free port that no outgoing connection may take as its own: while the relay is cut, a client that
    connects to a closed port of the ephemeral range can be given that very port as its source, and then talks
    to itself (TCP's simultaneous open), waiting forever for a server."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port below the ephemeral range")


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> "TcpProxy":
        if not self.port:
            self.port = _port_outside_the_ephemeral_range()
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)
        return self

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()
                self.writers.discard(dst)

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except asyncio.CancelledError:
            pass

    async def cut(self) -> None:
        """The database is gone: no new connection, and the open ones are reset."""
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            sock = writer.get_extra_info("socket")
            if sock is not None:  # a reset, as a server killed mid-conversation gives
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def restore(self) -> None:
        await self.start()

    async def stop(self) -> None:
        if self.server is not None and self.server.is_serving():
            await self.cut()
