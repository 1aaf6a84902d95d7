"""The only network code of otvet: a guarded event loop that meters every byte the probe sends.

Every connection the probe makes, whether from our own protocol code or from a protocol
library we drive (asyncua, asyncssh), is created through :class:`ProbeLoop`. The loop

- refuses any address but the target the user named, and any port the running check did not
  declare (:class:`~otvet.model.probe.TargetViolation`, fail closed);
- counts connections, application messages and bytes against the running check's
  :class:`~otvet.model.probe.Budget` and stops a check that would exceed it
  (:class:`~otvet.model.probe.BudgetExceeded`);
- paces the run: one connection (or UDP flow) at a time by default, a minimum gap between
  connections, a cap on messages per second;
- closes cleanly: a library's abortive close (RST) becomes a normal close (FIN), and the
  engine closes whatever a check left open;
- records every message sent and received, and every connection event, as hex with a hash,
  with secrets (passwords tried) replaced by ``*`` before they are recorded.

The running check is found through the context variable :data:`CURRENT` (asyncio tasks
copy it), so library code needs no changes. Network use outside a check is refused.

"Packets" are application messages: each TCP write and each UDP datagram. The kernel may
split or merge TCP segments; the TCP handshake and teardown are not counted.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import ipaddress
import math
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, cast

from otvet.model.errors import InputError
from otvet.model.probe import (
    Budget,
    BudgetExceeded,
    BudgetUsage,
    Exchange,
    Pacing,
    TargetViolation,
    Transport,
)

MAX_RECORDED_BYTES = 64 * 1024
"""Bytes of traffic kept as hex per check; beyond it, only sizes and hashes are kept."""
MAX_RECORDED_EXCHANGES = 2000
MAX_READ_BYTES = 1024 * 1024
"""Largest response a check reads from a device (a device is untrusted input too)."""

CURRENT: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("otvet_probe_meter", default=None)
"""The meter of the check (or watch) whose code is running."""


def _now() -> float:
    return time.monotonic()


# ---------------------------------------------------------------------------------------
# Pacing (shared by the whole run) and metering (one per check run)


class Pacer:
    """Connection slots, the minimum gap between connections and the message rate of one run."""

    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self._slots = asyncio.Semaphore(pacing.max_concurrency)
        self._last_event = -math.inf
        self._next_send = -math.inf

    @property
    def last_event(self) -> float:
        """Monotonic time of the last connection start or end."""
        return self._last_event

    async def acquire(self, min_gap_s: float | None) -> float:
        """Wait for a free slot and the minimum gap; returns the gap actually left."""
        await self._slots.acquire()
        gap = self.pacing.min_gap_s if min_gap_s is None else min_gap_s
        try:
            wait = self._last_event + gap - _now()
            if wait > 0:
                await asyncio.sleep(wait)
        except BaseException:
            self._slots.release()
            raise
        start = _now()
        left = start - self._last_event
        self._last_event = start
        return left

    def release(self) -> None:
        """A connection ended (or failed to open)."""
        self._last_event = _now()
        self._slots.release()

    def reserve_send(self) -> float:
        """Reserve the next send slot under the rate cap; returns the delay before sending."""
        interval = 1.0 / self.pacing.max_packets_per_s if self.pacing.max_packets_per_s > 0 else 0.0
        now = _now()
        at = max(now, self._next_send)
        self._next_send = at + interval
        return at - now


@dataclass
class _Conn:
    index: int
    transport: Transport
    port: int
    opened_at: float
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    handle: Any = None
    connect_s: float | None = None
    """Time from the SYN to the established connection (the engine's pacing excluded)."""
    release: Callable[[], None] | None = None
    """Frees the run's connection slot; called exactly once, when the connection ends."""
    """The metered transport (to close it at the end of the check)."""


class Meter:
    """Counts and records the traffic of one check run (or of the watch) against its budget."""

    def __init__(
        self,
        label: str,
        budget: Budget,
        allowed: Iterable[tuple[Transport, int]],
        *,
        may_send: bool = True,
        any_port: bool = False,
    ) -> None:
        self.label = label
        self.budget = budget
        self.allowed = frozenset(allowed)
        self.any_port = any_port
        self.may_send = may_send
        self.started = _now()
        self.connections = 0
        self.packets_sent = 0
        self.packets_received = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self.open: dict[int, _Conn] = {}
        self.max_open = 0
        self.gaps: list[float] = []
        self.exchanges: list[Exchange] = []
        self.recorded_bytes = 0
        self.exceeded: str | None = None
        self.left_open = 0
        self.aborts_softened = 0
        self.dropped_exchanges = 0
        self.reply_ports: set[int] = set()
        """UDP ports the target answered from (TFTP transfer ids): replies may go back there."""
        self._secrets: list[bytes] = []
        self._running_hash: Any = None

    # -- policy ------------------------------------------------------------------------

    def allows(self, transport: Transport, port: int) -> bool:
        """Whether the check declared this port (or, for UDP, the target answered from it)."""
        if transport is Transport.UDP and port in self.reply_ports:
            return True
        return self.any_port or (transport, port) in self.allowed

    def redact(self, secret: bytes) -> None:
        """Never record these bytes (a password being tried): they become ``*``."""
        if secret and secret not in self._secrets:
            self._secrets.append(secret)

    def _exceed(self, what: str) -> BudgetExceeded:
        self.exceeded = what
        return BudgetExceeded(f"{self.label}: {what}")

    def charge_connection(self) -> None:
        """Count one more connection or flow; raises when the budget is spent."""
        if self.connections >= self.budget.max_connections:
            raise self._exceed(f"would exceed its budget of {self.budget.max_connections} connection(s)")
        self.connections += 1

    def charge_send(self, size: int) -> None:
        """Count one more message; raises when the budget is spent or the check may not send."""
        if not self.may_send:
            raise TargetViolation(f"{self.label}: a connect-only check tried to send data")
        if self.packets_sent >= self.budget.max_packets:
            raise self._exceed(f"would exceed its budget of {self.budget.max_packets} packet(s)")
        self.packets_sent += 1
        self.bytes_sent += size

    # -- recording -----------------------------------------------------------------------

    def opened(self, transport: Transport, port: int, gap: float) -> _Conn:
        conn = _Conn(index=self.connections, transport=transport, port=port, opened_at=_now())
        self.open[conn.index] = conn
        self.max_open = max(self.max_open, len(self.open))
        if math.isfinite(gap):
            self.gaps.append(gap)
        return conn

    def closed(self, conn: _Conn) -> None:
        """The connection ended: forget it and free its slot (once)."""
        self.open.pop(conn.index, None)
        conn.closed.set()
        release, conn.release = conn.release, None
        if release is not None:
            release()

    def record(
        self,
        conn_index: int,
        transport: Transport,
        port: int,
        direction: str,
        data: bytes = b"",
        note: str | None = None,
    ) -> None:
        """Record a message or event (bytes are redacted, hashed and kept up to a cap).

        Consecutive chunks received on one TCP connection form one message: the kernel splits
        a reply as it likes, the evidence should not.
        """
        redacted = False
        for secret in self._secrets:
            if secret in data:
                data = data.replace(secret, b"*" * len(secret))
                redacted = True
        keep = data[: max(0, MAX_RECORDED_BYTES - self.recorded_bytes)]
        self.recorded_bytes += len(keep)
        last = self.exchanges[-1] if self.exchanges else None
        if (
            last is not None
            and direction == "received"
            and last.direction == "received"
            and last.connection == conn_index
            and last.transport is Transport.TCP
            and transport is Transport.TCP
            and last.note is None
            and self._running_hash is not None
        ):
            self._running_hash.update(data)
            self.exchanges[-1] = replace(
                last,
                size=last.size + len(data),
                sha256=self._running_hash.hexdigest(),
                hex=last.hex + keep.hex(),
                truncated=last.truncated or len(keep) < len(data),
                redacted=last.redacted or redacted,
            )
            return
        if len(self.exchanges) >= MAX_RECORDED_EXCHANGES:
            self.dropped_exchanges += 1
            return
        digest = hashlib.sha256(data)
        self._running_hash = digest if direction == "received" and data else None
        self.exchanges.append(
            Exchange(
                seq=len(self.exchanges) + 1,
                t_s=round(_now() - self.started, 4),
                connection=conn_index,
                transport=transport,
                port=port,
                direction=direction,
                size=len(data),
                sha256=digest.hexdigest() if data else None,
                hex=keep.hex(),
                truncated=len(keep) < len(data),
                redacted=redacted,
                note=note,
            )
        )

    def usage(self) -> BudgetUsage:
        """What the check used."""
        return BudgetUsage(
            connections=self.connections,
            packets_sent=self.packets_sent,
            packets_received=self.packets_received,
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
            max_concurrency=self.max_open,
            min_gap_s=round(min(self.gaps), 4) if self.gaps else None,
            elapsed_s=round(_now() - self.started, 4),
            left_open=self.left_open,
            aborts_softened=self.aborts_softened,
        )

    async def close_all(self, timeout: float = 5.0) -> None:
        """Close what the check left open, cleanly, and wait for it."""
        for conn in list(self.open.values()):
            handle = conn.handle
            if handle is not None and not handle.is_closing():
                self.left_open += 1
                handle.close()
            try:
                await asyncio.wait_for(conn.closed.wait(), timeout)
            except TimeoutError:
                self.closed(conn)


def _require_meter() -> Meter:
    meter = CURRENT.get()
    if meter is None:
        raise TargetViolation("network use outside a probe check is not allowed")
    return meter


# ---------------------------------------------------------------------------------------
# Metered transports


class _TcpTransport(asyncio.Transport):
    """Wraps a real TCP transport: counts and records writes, paces them, closes cleanly."""

    def __init__(self, real: asyncio.Transport, meter: Meter, conn: _Conn, pacer: Pacer) -> None:
        super().__init__()
        self._real = real
        self._meter = meter
        self._conn = conn
        self.conn = conn
        self._pacer = pacer
        self._queue: list[tuple[float, bytes]] = []
        self._flush: asyncio.TimerHandle | None = None
        self._closing = False
        self._close_after_flush = False
        self._eof_after_flush = False
        self._flushed = asyncio.Event()
        self._flushed.set()

    # writing -----------------------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        payload = bytes(data)
        if not payload:
            return
        if self._closing:
            raise ConnectionError("write on a closing connection")
        if self._real.is_closing():
            # The peer closed and asyncio is closing the socket: nothing would reach the wire,
            # so nothing is counted or recorded as sent.
            self._meter.record(
                self._conn.index,
                Transport.TCP,
                self._conn.port,
                "event",
                note=f"{len(payload)} bytes not sent: connection closed",
            )
            return
        self._meter.charge_send(len(payload))
        loop = asyncio.get_running_loop()
        delay = self._pacer.reserve_send()
        if delay <= 0 and not self._queue:
            self._meter.record(self._conn.index, Transport.TCP, self._conn.port, "sent", payload)
            self._real.write(payload)
            return
        # A paced message is recorded as sent when it is handed to the kernel (_drain_queue):
        # the peer may close while it waits, and then it never reaches the wire.
        # NOTE: the send slot is reserved now, so the order of messages never changes.
        self._queue.append((loop.time() + max(0.0, delay), payload))
        self._flushed.clear()
        if self._flush is None:
            self._flush = loop.call_at(self._queue[0][0], self._drain_queue)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self.write(b"".join(bytes(d) for d in list_of_data))

    def _drain_queue(self) -> None:
        self._flush = None
        loop = asyncio.get_running_loop()
        while self._queue and self._queue[0][0] <= loop.time():
            payload = self._queue.pop(0)[1]
            if self._real.is_closing():
                self._meter.bytes_sent -= len(payload)
                self._meter.record(
                    self._conn.index,
                    Transport.TCP,
                    self._conn.port,
                    "event",
                    note=f"{len(payload)} bytes not sent: connection closed",
                )
                continue
            self._meter.record(self._conn.index, Transport.TCP, self._conn.port, "sent", payload)
            self._real.write(payload)
        if self._queue:
            self._flush = loop.call_at(self._queue[0][0], self._drain_queue)
            return
        self._flushed.set()
        if self._eof_after_flush and not self._real.is_closing():
            self._real.write_eof()
        if self._close_after_flush:
            self._real.close()

    async def flushed(self) -> None:
        """Wait until paced writes have been handed to the kernel."""
        await self._flushed.wait()

    def write_eof(self) -> None:
        self._meter.record(self._conn.index, Transport.TCP, self._conn.port, "event", note="half-close")
        if self._queue:
            self._eof_after_flush = True  # never cut off a paced message
        else:
            self._real.write_eof()

    def can_write_eof(self) -> bool:
        return self._real.can_write_eof()

    def get_write_buffer_size(self) -> int:
        return self._real.get_write_buffer_size() + sum(len(d) for _, d in self._queue)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._real.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._real.set_write_buffer_limits(high, low)

    # closing -----------------------------------------------------------------------------

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._meter.record(self._conn.index, Transport.TCP, self._conn.port, "event", note="close")
        if self._queue:
            self._close_after_flush = True
        else:
            self._real.close()

    def abort(self) -> None:
        # NOTE: an abortive close sends RST; fragile devices may never free the session
        # (angryip/ipscan#467). We always close with FIN instead.
        self._meter.aborts_softened += 1
        self.close()

    def is_closing(self) -> bool:
        return self._closing or self._real.is_closing()

    # everything else -----------------------------------------------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._real.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._real.pause_reading()

    def resume_reading(self) -> None:
        self._real.resume_reading()

    def is_reading(self) -> bool:
        return self._real.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        raise TargetViolation("replacing the protocol of a probe connection is not supported")

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._real.get_protocol()


class _TcpProtocol(asyncio.Protocol):
    """Sits between the real transport and the check's protocol: records what is received."""

    def __init__(self, inner: asyncio.BaseProtocol, meter: Meter, conn: _Conn, pacer: Pacer) -> None:
        self.inner = inner
        self.meter = meter
        self.conn = conn
        self.pacer = pacer
        self.transport: _TcpTransport | None = None
        self._released = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = _TcpTransport(cast(asyncio.Transport, transport), self.meter, self.conn, self.pacer)
        self.conn.handle = self.transport
        self.inner.connection_made(self.transport)

    def data_received(self, data: bytes) -> None:
        self.meter.packets_received += 1
        self.meter.bytes_received += len(data)
        self.meter.record(self.conn.index, Transport.TCP, self.conn.port, "received", data)
        if isinstance(self.inner, asyncio.BufferedProtocol):
            view = memoryview(data)
            while view:
                target = memoryview(self.inner.get_buffer(len(view)))
                size = min(target.nbytes, len(view))
                target[:size] = view[:size]
                self.inner.buffer_updated(size)
                view = view[size:]
        elif isinstance(self.inner, asyncio.Protocol):
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        self.meter.record(self.conn.index, Transport.TCP, self.conn.port, "event", note="peer closed")
        if isinstance(self.inner, asyncio.Protocol | asyncio.BufferedProtocol):
            return self.inner.eof_received()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._released:
            self._released = True
            self.meter.record(
                self.conn.index,
                Transport.TCP,
                self.conn.port,
                "event",
                note="closed" if exc is None else f"closed: {type(exc).__name__}",
            )
            self.meter.closed(self.conn)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _UdpTransport(asyncio.DatagramTransport):
    """Wraps a real datagram transport: only the target, only declared ports, every datagram counted."""

    def __init__(
        self,
        real: asyncio.DatagramTransport,
        meter: Meter,
        conn: _Conn,
        pacer: Pacer,
        address: str,
        connected: bool,
    ) -> None:
        super().__init__()
        self._real = real
        self._meter = meter
        self._conn = conn
        self._pacer = pacer
        self._address = address
        self._connected = connected
        self._closing = False

    def sendto(self, data: bytes | bytearray | memoryview, addr: Any = None) -> None:
        payload = bytes(data)
        port = self._conn.port
        if addr is not None:
            host, port = addr[0], int(addr[1])
            if host != self._address or not self._meter.allows(Transport.UDP, port):
                raise TargetViolation(
                    f"{self._meter.label}: datagram to {addr!r} refused (only {self._address})"
                )
            if self._connected and port != self._conn.port:
                raise TargetViolation(f"{self._meter.label}: connected flow cannot send to port {port}")
        elif not self._connected:
            raise TargetViolation(f"{self._meter.label}: an unconnected flow needs a destination")
        self._meter.charge_send(len(payload))
        self._meter.record(self._conn.index, Transport.UDP, port, "sent", payload)
        # NOTE: datagrams are small and rare; pacing is awaited by the sender (UdpFlow.send).
        if self._connected:
            self._real.sendto(payload)
        else:
            self._real.sendto(payload, (self._address, port))

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._real.close()

    def abort(self) -> None:
        self.close()

    def is_closing(self) -> bool:
        return self._closing or self._real.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._real.get_extra_info(name, default)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(
        self,
        inner: asyncio.DatagramProtocol,
        meter: Meter,
        conn: _Conn,
        pacer: Pacer,
        address: str,
        connected: bool,
    ) -> None:
        self.inner = inner
        self.meter = meter
        self.conn = conn
        self.pacer = pacer
        self.address = address
        self.connected = connected
        self._released = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        wrapped = _UdpTransport(
            cast(asyncio.DatagramTransport, transport),
            self.meter,
            self.conn,
            self.pacer,
            self.address,
            self.connected,
        )
        self.conn.handle = wrapped
        self.inner.connection_made(wrapped)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not addr or addr[0] != self.address:
            # NOTE: an unconnected flow could receive from anyone; only the target counts.
            self.meter.record(
                self.conn.index,
                Transport.UDP,
                self.conn.port,
                "event",
                note="ignored datagram from another host",
            )
            return
        self.meter.packets_received += 1
        self.meter.bytes_received += len(data)
        self.meter.reply_ports.add(int(addr[1]))
        self.meter.record(self.conn.index, Transport.UDP, int(addr[1]), "received", data)
        self.inner.datagram_received(data, addr)

    def error_received(self, exc: Exception) -> None:
        self.meter.record(
            self.conn.index, Transport.UDP, self.conn.port, "event", note=f"error: {type(exc).__name__}"
        )
        self.inner.error_received(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._released:
            self._released = True
            self.meter.record(self.conn.index, Transport.UDP, self.conn.port, "event", note="closed")
            self.meter.closed(self.conn)
        self.inner.connection_lost(exc)


# ---------------------------------------------------------------------------------------
# The loop


class ProbeLoop(asyncio.SelectorEventLoop):
    """An event loop that lets probe code reach one address only, metered and paced.

    Call :meth:`arm` with the target address and pacing before any check runs; until then,
    and outside a check (see :data:`CURRENT`), every network operation is refused.
    """

    def __init__(self) -> None:
        super().__init__()
        self._target: str | None = None
        self._names: frozenset[str] = frozenset()
        self.pacer: Pacer | None = None

    def arm(self, address: str, pacing: Pacing, names: Iterable[str] = ()) -> None:
        """Allow ``address`` (an IP address literal) with this pacing; ``names`` map to it."""
        ipaddress.ip_address(address)
        self._target = address
        self._names = frozenset(n for n in names if n)
        self.pacer = Pacer(pacing)

    @property
    def target(self) -> str | None:
        """The one address probe code may reach."""
        return self._target

    def _check_host(self, host: Any) -> str:
        if self._target is None or self.pacer is None:
            raise TargetViolation("the probe loop is not armed with a target")
        text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        if text == self._target or text in self._names:
            return self._target
        try:
            if ipaddress.ip_address(text) == ipaddress.ip_address(self._target):
                return self._target
        except ValueError:
            pass
        raise TargetViolation(f"connection to {text!r} refused: the probe may only reach {self._target}")

    def _family(self) -> socket.AddressFamily:
        assert self._target is not None  # noqa: S101
        return socket.AF_INET6 if ipaddress.ip_address(self._target).version == 6 else socket.AF_INET

    async def getaddrinfo(
        self, host: Any, port: Any, *, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        address = self._check_host(host)
        # NOTE: no name resolution ever leaves the machine: the target is an address literal.
        return await super().getaddrinfo(
            address, port, family=family, type=type, proto=proto, flags=flags | socket.AI_NUMERICHOST
        )

    async def create_connection(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: str | None = None,
        port: int | None = None,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, asyncio.BaseProtocol]:
        meter = _require_meter()
        for key in ("sock", "ssl", "local_addr", "server_hostname", "ssl_handshake_timeout"):
            if kwargs.get(key) is not None:
                raise TargetViolation(
                    f"{meter.label}: create_connection({key}=...) is not allowed in the probe"
                )
        address = self._check_host(host)
        if port is None or not meter.allows(Transport.TCP, int(port)):
            raise TargetViolation(f"{meter.label}: port tcp/{port} was not declared for this check")
        assert self.pacer is not None  # noqa: S101
        meter.charge_connection()
        gap = await self.pacer.acquire(meter.budget.min_gap_s)
        conn = meter.opened(Transport.TCP, int(port), gap)
        conn.release = self.pacer.release
        meter.record(conn.index, Transport.TCP, int(port), "event", note="connect")
        pacer = self.pacer
        holder: list[_TcpProtocol] = []

        def factory() -> _TcpProtocol:
            wrapper = _TcpProtocol(protocol_factory(), meter, conn, pacer)
            holder.append(wrapper)
            return wrapper

        began = _now()
        try:
            await super().create_connection(factory, address, int(port), family=self._family())
            conn.connect_s = _now() - began
        except BaseException as exc:
            note = "refused" if isinstance(exc, ConnectionRefusedError) else f"failed: {type(exc).__name__}"
            if isinstance(exc, asyncio.CancelledError | TimeoutError):
                note = "timeout"
            meter.record(conn.index, Transport.TCP, int(port), "event", note=note)
            if not holder or holder[0].transport is None:
                meter.closed(conn)
            raise
        wrapper = holder[0]
        assert wrapper.transport is not None  # noqa: S101
        local = wrapper.transport.get_extra_info("sockname")
        if local:
            # The client port lets a device's own logs (or a capture) be matched to the check.
            meter.record(
                conn.index, Transport.TCP, int(port), "event", note=f"connected from port {local[1]}"
            )
        return wrapper.transport, wrapper.inner

    async def create_datagram_endpoint(  # type: ignore[override]
        self,
        protocol_factory: Callable[[], asyncio.DatagramProtocol],
        local_addr: Any = None,
        remote_addr: Any = None,
        **kwargs: Any,
    ) -> tuple[asyncio.DatagramTransport, asyncio.DatagramProtocol]:
        meter = _require_meter()
        for key in ("sock", "allow_broadcast", "reuse_port"):
            if kwargs.get(key):
                raise TargetViolation(f"{meter.label}: create_datagram_endpoint({key}=...) is not allowed")
        assert self.pacer is not None  # noqa: S101
        connected = remote_addr is not None
        if connected:
            address = self._check_host(remote_addr[0])
            port = int(remote_addr[1])
            if not meter.allows(Transport.UDP, port):
                raise TargetViolation(f"{meter.label}: port udp/{port} was not declared for this check")
        else:
            if local_addr is not None:
                raise TargetViolation(f"{meter.label}: binding a local address is not allowed")
            address = self._check_host(self._target)
            port = 0
        meter.charge_connection()
        gap = await self.pacer.acquire(meter.budget.min_gap_s)
        conn = meter.opened(Transport.UDP, port, gap)
        conn.release = self.pacer.release
        meter.record(conn.index, Transport.UDP, port, "event", note="open flow")
        pacer = self.pacer

        def factory() -> _UdpProtocol:
            return _UdpProtocol(protocol_factory(), meter, conn, pacer, address, connected)

        try:
            if connected:
                _, wrapper = await super().create_datagram_endpoint(
                    factory, remote_addr=(address, port), family=self._family()
                )
            else:
                bind = "::" if self._family() == socket.AF_INET6 else "0.0.0.0"  # noqa: S104  # an ephemeral client port
                _, wrapper = await super().create_datagram_endpoint(
                    factory, local_addr=(bind, 0), family=self._family()
                )
        except BaseException:
            meter.closed(conn)
            raise
        assert isinstance(wrapper, _UdpProtocol)  # noqa: S101
        local = conn.handle.get_extra_info("sockname") if conn.handle is not None else None
        if local:
            meter.record(conn.index, Transport.UDP, port, "event", note=f"flow from port {local[1]}")
        return conn.handle, wrapper.inner

    # Everything else that reaches out is refused outright.

    async def sock_connect(self, sock: socket.socket, address: Any) -> None:
        # asyncio's own create_connection/create_datagram_endpoint end up here: check again,
        # so no path reaches another address or an undeclared port.
        meter = _require_meter()
        host = address[0] if isinstance(address, tuple) else address
        self._check_host(host)
        transport = Transport.UDP if sock.type == socket.SOCK_DGRAM else Transport.TCP
        port = int(address[1]) if isinstance(address, tuple) else -1
        if not meter.allows(transport, port):
            raise TargetViolation(
                f"{meter.label}: port {transport.value}/{port} was not declared for this check"
            )
        await super().sock_connect(sock, address)

    async def create_unix_connection(self, *args: Any, **kwargs: Any) -> Any:
        raise TargetViolation("unix sockets are not used by the probe")

    async def create_server(self, *args: Any, **kwargs: Any) -> Any:
        raise TargetViolation("the probe does not listen")

    async def create_unix_server(self, *args: Any, **kwargs: Any) -> Any:
        raise TargetViolation("the probe does not listen")

    async def connect_accepted_socket(self, *args: Any, **kwargs: Any) -> Any:
        raise TargetViolation("the probe does not accept connections")

    async def sock_sendto(self, sock: socket.socket, data: Any, address: Any) -> int:
        raise TargetViolation("sock_sendto is not allowed in the probe")

    async def start_tls(self, *args: Any, **kwargs: Any) -> Any:
        raise TargetViolation("the probe does TLS over memory BIOs, not loop.start_tls")


def probe_loop() -> ProbeLoop:
    """The running loop as a :class:`ProbeLoop` (probe code runs only there)."""
    loop = asyncio.get_running_loop()
    if not isinstance(loop, ProbeLoop):
        raise TargetViolation("probe code must run on the probe's guarded event loop")
    return loop


# ---------------------------------------------------------------------------------------
# Helpers for hand-written protocol code


class _Buffer(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = bytearray()
        self.eof = False
        self.lost: Exception | None = None
        self.closed = False
        self.changed = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        if len(self.data) + len(data) > MAX_READ_BYTES:
            # A device is untrusted input: keep at most MAX_READ_BYTES.
            data = data[: max(0, MAX_READ_BYTES - len(self.data))]
        self.data.extend(data)
        self.changed.set()

    def eof_received(self) -> bool:
        self.eof = True
        self.changed.set()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost = exc
        self.eof = True
        self.changed.set()


def _longer_than(size: int) -> Callable[[bytes], bool]:
    return lambda data: len(data) > size


class TcpConn:
    """A metered, paced TCP connection for hand-written protocol code."""

    def __init__(self, transport: _TcpTransport, buffer: _Buffer, port: int) -> None:
        self._transport = transport
        self._buffer = buffer
        self.port = port

    @classmethod
    async def open(cls, port: int, *, timeout: float) -> TcpConn:
        """Connect to the target's ``port`` (``ConnectionRefusedError``, ``TimeoutError``)."""
        loop = probe_loop()
        assert loop.target is not None  # noqa: S101
        buffer = _Buffer()
        transport, _ = await asyncio.wait_for(
            loop.create_connection(lambda: buffer, loop.target, port), timeout
        )
        assert isinstance(transport, _TcpTransport)  # noqa: S101
        return cls(transport, buffer, port)

    @property
    def connect_s(self) -> float | None:
        """How long the TCP handshake took."""
        return self._transport.conn.connect_s

    @property
    def eof(self) -> bool:
        """The peer closed its side (or the connection is gone)."""
        return self._buffer.eof

    @property
    def pending(self) -> bytes:
        """Bytes received and not yet taken."""
        return bytes(self._buffer.data)

    async def send(self, data: bytes) -> None:
        """Send one message (paced; counted against the check's budget)."""
        self._transport.write(data)
        await self._transport.flushed()

    def take(self, size: int | None = None) -> bytes:
        """Remove and return received bytes."""
        data = self._buffer.data
        size = len(data) if size is None else min(size, len(data))
        out = bytes(data[:size])
        del data[:size]
        return out

    async def wait_for(self, done: Callable[[bytes], bool], timeout: float) -> bool:
        """Wait until ``done(received)`` holds, the peer closes, or the timeout; True if done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if done(bytes(self._buffer.data)):
                return True
            if self._buffer.eof:
                return False
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._buffer.changed.clear()
            try:
                await asyncio.wait_for(self._buffer.changed.wait(), remaining)
            except TimeoutError:
                return done(bytes(self._buffer.data))

    async def read_some(self, timeout: float, at_least: int = 1) -> bytes:
        """Wait for at least ``at_least`` bytes (or close/timeout) and take what arrived."""
        await self.wait_for(lambda b: len(b) >= at_least, timeout)
        return self.take()

    async def read_for(self, seconds: float, limit: int = 64 * 1024) -> bytes:
        """Passive read: whatever arrives within ``seconds`` (until close or ``limit``)."""
        await self.wait_for(lambda b: len(b) >= limit, seconds)
        return self.take(limit)

    async def read_quiet(self, timeout: float, quiet: float = 0.5, limit: int = 64 * 1024) -> bytes:
        """Passive read: wait up to ``timeout`` for the first bytes, then read until the device
        has been quiet for ``quiet`` seconds (or closes, or ``limit`` bytes arrived)."""
        if not await self.wait_for(lambda b: len(b) > 0, timeout):
            return self.take(limit)
        while len(self._buffer.data) < limit and not self._buffer.eof:
            size = len(self._buffer.data)
            if not await self.wait_for(_longer_than(size), quiet):
                break
        return self.take(limit)

    async def close(self, timeout: float = 5.0, linger: float = 1.0) -> None:
        """Close gracefully and wait until the connection is gone.

        Our side half-closes first (FIN after every queued message) and reads until the device
        closes too, for at most ``linger`` seconds: a reply still on its way (an FTP "221
        Goodbye") is received instead of being answered with a reset by our kernel.
        """
        if not self._buffer.closed and not self._buffer.eof and self._transport.can_write_eof():
            await self._transport.flushed()
            if not self._transport.is_closing():
                self._transport.write_eof()
                await self.wait_for(lambda _: False, linger)
        self._transport.close()
        if not self._buffer.closed:
            try:
                await asyncio.wait_for(self._wait_closed(), timeout)
            except TimeoutError:
                return

    async def _wait_closed(self) -> None:
        while not self._buffer.closed:
            self._buffer.changed.clear()
            await self._buffer.changed.wait()

    async def __aenter__(self) -> TcpConn:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue(maxsize=64)
        self.refused = False
        self.changed = asyncio.Event()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.queue.full():
            self.queue.put_nowait((data[:65536], (str(addr[0]), int(addr[1]))))
        self.changed.set()

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, ConnectionRefusedError):
            self.refused = True
        self.changed.set()


class UdpFlow:
    """A metered UDP flow to the target (connected: ICMP "port unreachable" is reported)."""

    def __init__(self, transport: _UdpTransport, proto: _Datagrams, port: int) -> None:
        self._transport = transport
        self._proto = proto
        self.port = port

    @classmethod
    async def open(cls, port: int, *, connected: bool = True) -> UdpFlow:
        """A flow to the target's ``port``; unconnected flows accept replies from any port."""
        loop = probe_loop()
        assert loop.target is not None  # noqa: S101
        proto = _Datagrams()
        if connected:
            transport, _ = await loop.create_datagram_endpoint(lambda: proto, remote_addr=(loop.target, port))
        else:
            transport, _ = await loop.create_datagram_endpoint(lambda: proto)
        return cls(cast(_UdpTransport, transport), proto, port)

    @property
    def refused(self) -> bool:
        """The target answered "port unreachable" (nothing listens there)."""
        return self._proto.refused

    async def send(self, data: bytes, port: int | None = None) -> None:
        """Send one datagram (paced)."""
        loop = probe_loop()
        assert loop.pacer is not None  # noqa: S101
        delay = loop.pacer.reserve_send()
        if delay > 0:
            await asyncio.sleep(delay)
        if port is None:
            self._transport.sendto(data)
        else:
            assert loop.target is not None  # noqa: S101
            self._transport.sendto(data, (loop.target, port))

    async def receive(self, timeout: float) -> tuple[bytes, tuple[str, int]] | None:
        """The next datagram from the target, or None on timeout or refusal."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not self._proto.queue.empty():
                return self._proto.queue.get_nowait()
            if self._proto.refused:
                return None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            self._proto.changed.clear()
            try:
                await asyncio.wait_for(self._proto.changed.wait(), remaining)
            except TimeoutError:
                continue

    async def close(self) -> None:
        """End the flow."""
        self._transport.close()
        await asyncio.sleep(0)

    async def __aenter__(self) -> UdpFlow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def meter_of_current() -> Meter:
    """The running check's meter (to register secrets to redact)."""
    return _require_meter()


def resolve_target(host: str) -> str:
    """The address of the user-named target: a literal as is, a name resolved once, here only."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve the target {host!r}: {exc}") from exc
    if not infos:
        raise InputError(f"cannot resolve the target {host!r}")
    return str(infos[0][4][0])
