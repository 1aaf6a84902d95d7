"""Range plumbing: a background event loop, the ledger, and the TCP/UDP accounting proxies."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Linux TCP states (include/net/tcp_states.h): after the client's FIN a server socket is in
# CLOSE_WAIT (or LAST_ACK); after a reset it is CLOSE.
TCP_CLOSE_WAIT, TCP_CLOSE, TCP_LAST_ACK = 8, 7, 9
_PEER_GONE = {TCP_CLOSE_WAIT: "eof", TCP_LAST_ACK: "eof", TCP_CLOSE: "reset"}


class RangeLoop:
    """An asyncio loop in a daemon thread, for the simulators (never the probe's loop)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="probe-range", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` on the range loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


@dataclass
class Connection:
    """One TCP connection as the accounting proxy saw it."""

    index: int
    port: int
    peer: tuple[str, int]
    accepted: float
    """Monotonic time the proxy accepted it."""
    accepted_wall: float
    ended: float | None = None
    end: str | None = None
    """``eof`` (client closed cleanly), ``reset``, ``server`` (device closed first)."""
    bytes_in: int = 0
    bytes_out: int = 0
    last_out: float | None = None


@dataclass
class Ledger:
    """Everything that reached one simulated device."""

    name: str
    connections: list[Connection] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    concurrency_peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def log(self, kind: str, **data: Any) -> None:
        """Record an event (``auth``, ``write``, ``request``, ``datagram``, ...)."""
        with self.lock:
            self.events.append({"kind": kind, "t": time.monotonic(), "wall": time.time(), **data})

    def of(self, kind: str, since: float = 0.0) -> list[dict[str, Any]]:
        """Events of a kind after a monotonic time."""
        with self.lock:
            return [e for e in self.events if e["kind"] == kind and e["t"] >= since]

    def conns(self, since: float = 0.0) -> list[Connection]:
        """Connections accepted after a monotonic time."""
        with self.lock:
            return [c for c in self.connections if c.accepted >= since]

    def settle(self, since: float = 0.0, expect: int | None = None, timeout: float = 10.0) -> None:
        """Wait until the simulator has accepted ``expect`` connections since ``since`` and
        processed the end of every one (the probe is done first; the device's thread may
        still be catching up on a busy machine)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            conns = self.conns(since)
            if (expect is None or len(conns) >= expect) and all(c.end is not None for c in conns):
                return
            time.sleep(0.02)

    def half_open(self, since: float = 0.0) -> list[Connection]:
        """Connections not closed cleanly by the client: still open, or reset."""
        return [c for c in self.conns(since) if c.end is None or c.end == "reset"]

    def max_concurrency(self, since: float = 0.0) -> int:
        """Most connections open at once (from accept and end times)."""
        points: list[tuple[float, int]] = []
        for c in self.conns(since):
            points.append((c.accepted, 1))
            points.append((c.ended if c.ended is not None else float("inf"), -1))
        level = peak = 0
        for _, step in sorted(points, key=lambda p: (p[0], p[1])):
            level += step
            peak = max(peak, level)
        return peak

    def gaps(self, since: float = 0.0) -> list[float]:
        """Time between the end of each connection and the start of the next."""
        conns = sorted(self.conns(since), key=lambda c: c.accepted)
        return [b.accepted - a.ended for a, b in itertools.pairwise(conns) if a.ended is not None]


def tcp_state(sock: socket.socket) -> int | None:
    """The kernel's TCP state of a socket (first byte of TCP_INFO), or None."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return None
    return info[0]


class TcpProxy:
    """Listens on ``address:0``, relays to a backend, and keeps the ledger of connections.

    When a new connection arrives, connections whose client already closed (the kernel holds
    them in CLOSE_WAIT) but whose end the proxy has not processed yet are closed in the ledger
    first, so a busy machine cannot make sequential connections look concurrent.
    """

    def __init__(self, ledger: Ledger, address: str, backend: tuple[str, int]) -> None:
        self.ledger = ledger
        self.address = address
        self.backend = backend
        self.server: asyncio.Server | None = None
        self.port = 0
        self._open: dict[int, tuple[Connection, socket.socket]] = {}

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, self.address, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    def _settle(self) -> None:
        now = time.monotonic()
        for index, (conn, sock) in list(self._open.items()):
            state = tcp_state(sock)
            if conn.ended is None and state in _PEER_GONE:
                conn.ended, conn.end = now, conn.end or _PEER_GONE[state]
                self._open.pop(index, None)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock: socket.socket = writer.get_extra_info("socket")
        self._settle()
        with self.ledger.lock:
            conn = Connection(
                index=len(self.ledger.connections) + 1,
                port=self.port,
                peer=writer.get_extra_info("peername"),
                accepted=time.monotonic(),
                accepted_wall=time.time(),
            )
            self.ledger.connections.append(conn)
        self._open[conn.index] = (conn, sock)
        self.ledger.concurrency_peak = max(
            self.ledger.concurrency_peak, sum(1 for c, _ in self._open.values() if c.ended is None)
        )
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.backend)
        except OSError:
            writer.close()
            conn.ended, conn.end = time.monotonic(), "server"
            self._open.pop(conn.index, None)
            return

        async def upstream() -> None:
            try:
                while data := await reader.read(65536):
                    conn.bytes_in += len(data)
                    up_writer.write(data)
                if conn.end is None:
                    conn.ended, conn.end = time.monotonic(), "eof"
                if up_writer.can_write_eof():
                    up_writer.write_eof()
            except (ConnectionResetError, BrokenPipeError):
                if conn.end is None:
                    conn.ended, conn.end = time.monotonic(), "reset"
                up_writer.close()

        async def downstream() -> None:
            try:
                while data := await up_reader.read(65536):
                    conn.bytes_out += len(data)
                    conn.last_out = time.monotonic()
                    writer.write(data)
                    await writer.drain()
            except (ConnectionResetError, BrokenPipeError):
                pass
            if conn.end is None and not reader.at_eof():
                # The device closed first: close towards the client too (FIN).
                with _Suppress():
                    writer.write_eof()

        down = asyncio.ensure_future(downstream())
        await upstream()
        # The client is done; a device that does not close after the client's FIN is closed
        # by the proxy after a while, so no relay outlives the test.
        with contextlib.suppress(TimeoutError, ConnectionError, OSError):
            await asyncio.wait_for(down, 5.0)
        self._open.pop(conn.index, None)
        writer.close()
        up_writer.close()
        with _Suppress():
            await writer.wait_closed()


class _Suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], (OSError, RuntimeError))  # type: ignore[arg-type]


class UdpProxy(asyncio.DatagramProtocol):
    """Relays datagrams between clients and a UDP backend, logging each with ``describe``."""

    def __init__(
        self, ledger: Ledger, backend: tuple[str, int], describe: Callable[[bytes], dict[str, Any]]
    ) -> None:
        self.ledger = ledger
        self.backend = backend
        self.describe = describe
        self.transport: asyncio.DatagramTransport | None = None
        self._clients: dict[tuple[str, int], asyncio.DatagramTransport] = {}
        self._pending: dict[tuple[str, int], asyncio.Task[asyncio.DatagramTransport]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.ledger.log("datagram", peer=addr, size=len(data), **self.describe(data))
        # Datagrams of one client go through one upstream socket, in the order they came:
        # the upstream is created once (a burst of three datagrams must not open three
        # upstreams and leak two) and every datagram waits for it in arrival order.
        pending = self._pending.get(addr)
        if pending is None:
            pending = asyncio.get_running_loop().create_task(self._open(addr))
            self._pending[addr] = pending
        pending.add_done_callback(lambda done: self._send(done, data))

    async def _open(self, addr: tuple[str, int]) -> asyncio.DatagramTransport:
        proxy = self

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, reply: bytes, _: tuple[str, int]) -> None:
                if proxy.transport is not None:
                    proxy.transport.sendto(reply, addr)

        loop = asyncio.get_running_loop()
        upstream, _ = await loop.create_datagram_endpoint(Back, remote_addr=self.backend)
        self._clients[addr] = upstream
        # One upstream per client port, closed when the client has surely moved on.
        loop.call_later(15.0, self._forget, addr)
        return upstream

    @staticmethod
    def _send(done: asyncio.Task[asyncio.DatagramTransport], data: bytes) -> None:
        if not done.cancelled() and done.exception() is None and not done.result().is_closing():
            done.result().sendto(data)

    def _forget(self, addr: tuple[str, int]) -> None:
        self._pending.pop(addr, None)
        upstream = self._clients.pop(addr, None)
        if upstream is not None:
            upstream.close()

    def close(self) -> None:
        """Close the listening socket and every upstream."""
        for task in self._pending.values():
            task.cancel()
        for addr in {*self._clients, *self._pending}:
            self._forget(addr)
        if self.transport is not None:
            self.transport.close()


def free_port(address: str, kind: int = socket.SOCK_STREAM) -> int:
    """A port the kernel says is free on ``address`` right now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


class ClosedPort:
    """A TCP port held bound but not listening: connections to it are refused (RST)."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((address, 0))
        self.port = int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.sock.close()


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until true or the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def pack_u16(value: int) -> bytes:
    return struct.pack(">H", value)


Starter = Callable[[], Awaitable[None]]
