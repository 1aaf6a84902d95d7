"""The guarded loop: only the named target, only declared ports, within budget, paced, clean."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

import pytest

from otvet.model.probe import (
    Budget,
    BudgetExceeded,
    Category,
    Pacing,
    PortSpec,
    ProbeOptions,
    ProbeTarget,
    TargetViolation,
    Transport,
    Verdict,
)
from otvet.probe import engine
from otvet.probe.interface import CheckBase, CheckContext, CheckOutcome, finding, outcome
from otvet.probe.net import CURRENT, Meter, Pacer, ProbeLoop, TcpConn, UdpFlow, probe_loop
from tests.probe.conftest import FAST, QUIET_WATCH, Lab
from tests.probe.range.base import free_port
from tests.probe.range.device import EchoDevice

T = TypeVar("T")


def in_probe(address: str, body: Callable[[], Awaitable[T]], pacing: Pacing = FAST) -> T:
    """Run ``body`` on an armed probe loop."""

    async def main() -> T:
        probe_loop().arm(address, pacing)
        return await body()

    with asyncio.Runner(loop_factory=ProbeLoop) as runner:
        return runner.run(main())


async def metered(meter: Meter, coro: Awaitable[T]) -> T:
    """Run ``coro`` as if it were a check with ``meter``."""
    context = contextvars.copy_context()
    context.run(CURRENT.set, meter)
    return await asyncio.create_task(_wrap(coro), context=context)


async def _wrap(coro: Awaitable[T]) -> T:
    return await coro


@pytest.fixture(scope="module")
def echo(lab: Lab) -> EchoDevice:
    return lab.device(EchoDevice, "echo")


def _meter(
    echo: EchoDevice, *, connections: int = 5, packets: int = 5, ports: tuple[str, ...] = ("tcp",), **kw: Any
) -> Meter:
    allowed = [(echo.ports[p][1], echo.ports[p][0]) for p in ports]
    return Meter(
        "test", Budget(max_connections=connections, max_packets=packets, timeout_s=30), allowed, **kw
    )


def test_only_the_named_target_is_reachable(echo: EchoDevice) -> None:
    port = echo.ports["tcp"][0]
    meter = Meter("test", Budget(5, 5, 30), [(Transport.TCP, port)])

    async def body() -> list[str]:
        refused = []
        loop = asyncio.get_running_loop()
        for host in ("127.0.0.1", "127.0.88.2", "localhost", "192.0.2.1"):
            try:
                await metered(meter, loop.create_connection(asyncio.Protocol, host, port))
            except TargetViolation:
                refused.append(host)
        try:
            await metered(meter, asyncio.open_connection("127.0.0.1", port))
        except TargetViolation:
            refused.append("open_connection")
        try:
            await metered(meter, loop.getaddrinfo("example.com", 80))
        except TargetViolation:
            refused.append("dns")
        conn = await metered(meter, TcpConn.open(port, timeout=3))
        await metered(meter, conn.close())
        return refused

    mark = echo.mark()
    refused = in_probe(echo.address, body)
    assert refused == ["127.0.0.1", "127.0.88.2", "localhost", "192.0.2.1", "open_connection", "dns"]
    # Exactly one connection reached the device: the permitted one.
    echo.ledger.settle(mark, expect=1)
    assert len(echo.ledger.conns(mark)) == 1
    assert meter.connections == 1


def test_undeclared_ports_and_network_outside_a_check_are_refused(echo: EchoDevice) -> None:
    meter = _meter(echo, ports=("tcp",))
    other = echo.ports["tcp2"][0]
    udp = echo.ports["udp"][0]

    async def body() -> list[str]:
        refused = []
        for label, coro in (
            ("tcp2", lambda: metered(meter, TcpConn.open(other, timeout=3))),
            ("udp", lambda: metered(meter, UdpFlow.open(udp))),
            ("no check", lambda: TcpConn.open(echo.ports["tcp"][0], timeout=3)),
            ("server", lambda: metered(meter, asyncio.start_server(lambda r, w: None, echo.address, 0))),
        ):
            try:
                await coro()
            except TargetViolation:
                refused.append(label)
        return refused

    mark = echo.mark()
    assert in_probe(echo.address, body) == ["tcp2", "udp", "no check", "server"]
    echo.ledger.settle(mark)
    assert echo.ledger.conns(mark) == []


def test_budgets_stop_the_check_before_anything_extra_is_sent(echo: EchoDevice) -> None:
    meter = _meter(echo, connections=1, packets=2)
    port = echo.ports["tcp"][0]

    async def body() -> list[str]:
        stopped = []
        conn = await metered(meter, TcpConn.open(port, timeout=3))
        await metered(meter, conn.send(b"one"))
        await metered(meter, conn.send(b"two"))
        try:
            await metered(meter, conn.send(b"three"))
        except BudgetExceeded:
            stopped.append("packets")
        await metered(meter, conn.close())
        try:
            await metered(meter, TcpConn.open(port, timeout=3))
        except BudgetExceeded:
            stopped.append("connections")
        return stopped

    mark = echo.mark()
    assert in_probe(echo.address, body) == ["packets", "connections"]
    echo.ledger.settle(mark)
    conns = echo.ledger.conns(mark)
    assert len(conns) == 1
    assert conns[0].bytes_in == len(b"onetwo")
    assert meter.exceeded is not None


def test_connect_only_checks_cannot_send(echo: EchoDevice) -> None:
    meter = _meter(echo, may_send=False)

    async def body() -> bool:
        conn = await metered(meter, TcpConn.open(echo.ports["tcp"][0], timeout=3))
        try:
            await metered(meter, conn.send(b"x"))
        except TargetViolation:
            return True
        finally:
            await metered(meter, conn.close())
        return False

    mark = echo.mark()
    assert in_probe(echo.address, body)
    echo.ledger.settle(mark, expect=1)
    assert [c.bytes_in for c in echo.ledger.conns(mark)] == [0]


def test_one_connection_at_a_time_with_gaps_and_clean_closes(echo: EchoDevice) -> None:
    pacing = Pacing(min_gap_s=0.3, max_packets_per_s=100, connect_timeout_s=3, read_timeout_s=3)
    meter = _meter(echo, connections=6, packets=6)
    port = echo.ports["tcp"][0]

    async def client() -> None:
        for _ in range(2):
            conn = await TcpConn.open(port, timeout=5)
            await conn.send(b"ping")
            await conn.read_some(3, at_least=4)
            await conn.close()

    async def body() -> None:
        # Three clients at once: the engine still opens one connection at a time.
        await asyncio.gather(*(metered(meter, client()) for _ in range(3)))

    mark = echo.mark()
    in_probe(echo.address, body, pacing)
    echo.ledger.settle(mark, expect=6)
    conns = echo.ledger.conns(mark)
    assert len(conns) == meter.connections == 6
    assert meter.max_open == 1
    # The engine measures the gap it left itself (load can only make it longer) ...
    assert min(meter.gaps) >= pacing.min_gap_s
    # ... and the device's own ledger agrees: never two at once, nothing left half-open.
    echo.ledger.settle(mark)
    assert echo.ledger.max_concurrency(mark) == 1
    assert echo.ledger.half_open(mark) == []
    assert all(c.end == "eof" for c in conns)
    # Server-side gaps carry scheduling noise of both threads; half the gap is a safe floor.
    assert min(echo.ledger.gaps(mark)) >= pacing.min_gap_s / 2


def test_an_abortive_close_becomes_a_clean_close(echo: EchoDevice) -> None:
    meter = _meter(echo)

    class Aborter(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            transport.abort()  # type: ignore[attr-defined]

    async def body() -> None:
        loop = asyncio.get_running_loop()
        await metered(meter, loop.create_connection(Aborter, echo.address, echo.ports["tcp"][0]))
        await asyncio.sleep(0.2)
        await metered(meter, meter.close_all())

    mark = echo.mark()
    in_probe(echo.address, body)
    echo.ledger.settle(mark, expect=1)
    assert meter.aborts_softened == 1
    (conn,) = echo.ledger.conns(mark)
    assert conn.end == "eof"


def test_recorded_traffic_is_redacted_hashed_and_reassembled(echo: EchoDevice) -> None:
    meter = _meter(echo)
    secret = b"Nw-Maint-7731"
    payload = b"PASS " + secret + b"\r\n" + b"x" * 5000

    async def body() -> None:
        meter.redact(secret)
        conn = await metered(meter, TcpConn.open(echo.ports["tcp"][0], timeout=3))
        await metered(meter, conn.send(payload))
        await metered(meter, conn.wait_for(lambda b: len(b) >= len(payload), 5))
        await metered(meter, conn.close())

    in_probe(echo.address, body)
    sent = [e for e in meter.exchanges if e.direction == "sent"]
    received = [e for e in meter.exchanges if e.direction == "received"]
    assert len(sent) == 1 and len(received) == 1
    redacted = payload.replace(secret, b"*" * len(secret))
    for exchange in (sent[0], received[0]):
        assert secret.hex() not in exchange.hex
        assert exchange.redacted
        assert exchange.size == len(payload)
        assert exchange.sha256 == hashlib.sha256(redacted).hexdigest()
        assert bytes.fromhex(exchange.hex) == redacted


def test_udp_flows_report_closed_ports_and_stay_on_target(echo: EchoDevice) -> None:
    closed = free_port(echo.address, kind=2)
    meter = Meter("udp", Budget(5, 5, 30), [(Transport.UDP, echo.ports["udp"][0]), (Transport.UDP, closed)])

    async def body() -> tuple[bytes | None, bool, bool]:
        flow = await metered(meter, UdpFlow.open(echo.ports["udp"][0]))
        await metered(meter, flow.send(b"hello"))
        got = await flow.receive(3)
        await flow.close()
        shut = await metered(meter, UdpFlow.open(closed))
        await metered(meter, shut.send(b"anyone?"))
        await shut.receive(3)
        refused = shut.refused
        await shut.close()
        loose = await metered(meter, UdpFlow.open(0, connected=False))
        try:
            await metered(meter, loose.send(b"x", port=9))
        except TargetViolation:
            violation = True
        else:
            violation = False
        await loose.close()
        return (got[0] if got else None), refused, violation

    assert in_probe(echo.address, body) == (b"hello", True, True)


def test_pacer_spaces_messages_and_connections() -> None:
    async def body() -> tuple[list[float], float, float]:
        pacer = Pacer(Pacing(min_gap_s=0.2, max_packets_per_s=5))
        began = time.monotonic()
        delays = [pacer.reserve_send() for _ in range(4)]
        spent = time.monotonic() - began
        await pacer.acquire(None)
        pacer.release()
        left = await pacer.acquire(None)
        pacer.release()
        return delays, spent, left

    delays, spent, left = asyncio.run(body())
    # Slots 1/5 s apart: the fourth message waits 0.6 s less whatever time the calls took.
    assert delays == sorted(delays)
    assert delays[-1] >= 0.6 - spent - 1e-6
    assert left >= 0.2


class _Escapes(CheckBase):
    """A broken check that tries to reach another address."""

    id: ClassVar[str] = "test.escapes"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "escapes"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = ("tcp",)
    criteria: ClassVar[tuple[str, ...]] = ()
    sends: ClassVar[str] = "nothing"

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        return Budget(2, 2, 10)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        loop = asyncio.get_running_loop()
        await loop.create_connection(asyncio.Protocol, "127.0.0.1", ctx.port_number)
        return outcome(finding("x", Verdict.PASS, "reached"))


class _Polite(_Escapes):
    id: ClassVar[str] = "test.polite"

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        conn = await ctx.connect()
        await conn.close()
        return outcome(finding("x", Verdict.PASS, "connected"))


def test_the_engine_stops_the_run_when_a_check_reaches_elsewhere(echo: EchoDevice) -> None:
    target = echo.target(ports=(PortSpec(echo.ports["tcp"][0], Transport.TCP, "tcp"),))
    mark = echo.mark()
    run = engine.run(
        target,
        ProbeOptions(pacing=FAST, watch=QUIET_WATCH),
        checks=(_Escapes, _Polite),  # type: ignore[arg-type]
    )
    escaped, polite = run.checks
    assert escaped.verdict is Verdict.ERROR and "may only reach" in escaped.rationale
    assert polite.not_run is not None  # fail closed: nothing runs after a violation
    assert run.stopped and "internal error" in run.stopped
    # Only the watch's own connections reached the device (none from the escaping check).
    echo.ledger.settle(mark, expect=run.watch.used.connections)
    assert len(echo.ledger.conns(mark)) == run.watch.used.connections
