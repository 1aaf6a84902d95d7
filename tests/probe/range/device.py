"""A simulated device: an address, its services behind accounting proxies, and its ledger."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from otvet.model.probe import PortSpec, ProbeTarget, Transport
from tests.probe.range.base import ClosedPort, Ledger, TcpProxy, free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Device:
    """Base of every simulated device (runs on the range loop)."""

    kind = "device"

    def __init__(self, address: str, variant: str) -> None:
        self.address = address
        self.variant = variant
        self.ledger = Ledger(f"{self.kind}-{variant}@{address}")
        self.ports: dict[str, tuple[int, Transport]] = {}
        self.unserved_udp: set[int] = set()
        """UDP ports declared with nothing listening (see :meth:`closed_udp`)."""
        """protocol -> (public port, transport)."""
        self._servers: list[Any] = []
        self._proxies: list[TcpProxy] = []
        self._closed: list[ClosedPort] = []
        self.vendor = "Northwind Controls" if variant == "bad" else "Kestrel Automation"
        self.workdir = Path("/nonexistent")
        """Set by the lab before start: where certificates and configuration files go."""

    @property
    def name(self) -> str:
        return self.ledger.name

    async def start(self) -> None:
        """Start the services (subclasses)."""

    async def stop(self) -> None:
        for proxy in self._proxies:
            await proxy.stop()
        for server in self._servers:
            close = getattr(server, "close", None)
            if close is not None:
                result = close()
                if asyncio.iscoroutine(result):
                    await result
        for port in self._closed:
            port.close()

    async def serve_tcp(self, protocol: str, handler: Handler) -> int:
        """A plain asyncio TCP service on a backend port, exposed through an accounting proxy."""
        server = await asyncio.start_server(handler, self.address, 0)
        self._servers.append(server)
        return await self.expose(protocol, server.sockets[0].getsockname()[1])

    async def expose(self, protocol: str, backend_port: int) -> int:
        """Put an accounting proxy in front of a backend port; the proxy's port is public."""
        proxy = TcpProxy(self.ledger, self.address, (self.address, backend_port))
        port = await proxy.start()
        self._proxies.append(proxy)
        self.ports[protocol] = (port, Transport.TCP)
        return port

    def closed_udp(self, protocol: str) -> int:
        """Declare ``protocol`` on a UDP port where nothing listens (datagrams draw ICMP
        port-unreachable and reach no ledger)."""
        port = free_port(self.address, socket.SOCK_DGRAM)
        self.unserved_udp.add(port)
        self.ports[protocol] = (port, Transport.UDP)
        return port

    def closed(self, protocol: str) -> int:
        """Declare ``protocol`` on a port where nothing listens (the service is off)."""
        held = ClosedPort(self.address)
        self._closed.append(held)
        self.ports[protocol] = (held.port, Transport.TCP)
        return held.port

    def target(self, **changes: Any) -> ProbeTarget:
        """A probe target for this device: every service declared, no default ports."""
        ports = tuple(
            PortSpec(port, transport, protocol) for protocol, (port, transport) in self.ports.items()
        )
        base = ProbeTarget(
            host=self.address,
            ports=ports,
            name=self.name,
            vendor=self.vendor,
            product=getattr(self, "product", None),
            version=getattr(self, "version", None),
            documented_ports=tuple(f"{t.value}/{p}" for p, t in self.ports.values()),
            inventory_ports=tuple(p for p, t in self.ports.values() if t is Transport.TCP),
            default_ports=False,
        )
        return replace(base, **changes)

    def mark(self) -> float:
        """A point in time to read the ledger from."""
        return time.monotonic()


async def read_line(reader: asyncio.StreamReader, limit: int = 512) -> bytes | None:
    """One line (CR LF or LF), or None at EOF."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        return None
    return line[:limit].rstrip(b"\r\n")


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


class EchoDevice(Device):
    """Two echo services (for engine tests): ``tcp`` and ``tcp2``; a UDP echo ``udp``."""

    kind = "echo"

    async def start(self) -> None:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(4096):
                    writer.write(data)
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                await close(writer)

        await self.serve_tcp("tcp", echo)
        port = self.ports.pop("tcp")
        await self.serve_tcp("tcp2", echo)
        self.ports["tcp"] = port

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                self.transport.sendto(data, addr)  # type: ignore[attr-defined]

        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(Udp, local_addr=(self.address, 0))
        self._servers.append(transport)
        self.ports["udp"] = (transport.get_extra_info("sockname")[1], Transport.UDP)
