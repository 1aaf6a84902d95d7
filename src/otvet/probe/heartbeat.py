"""Heartbeats and uptime readings of the robustness watch.

A heartbeat is a connection plus one protocol read, chosen from the port map in this order:
Modbus (read the user's holding register), OPC UA (Hello/Acknowledge), HTTP (GET /), SSH
(identification), FTP (greeting, then QUIT), Telnet (first bytes), TLS (a TLS 1.2
ClientHello, then cancel), plain TCP (connect only); a device with UDP ports only gets an
SNMPv3 discovery. Latency is measured from the established connection to the answer, so
the engine's own pacing never shows up as device latency.

Uptime readings detect reboots without credentials where possible: SNMPv3 engine discovery
(snmpEngineBoots/snmpEngineTime, RFC 3414), else SNMP sysUpTime with community ``public``
(only when the SNMP community check is part of the run).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from dataclasses import dataclass

from otvet.model.probe import PortSpec, ProbeTarget, Transport
from otvet.probe.net import TcpConn, UdpFlow
from otvet.probe.wire import WireError, ftp, http, modbus, opcua, snmp, ssh, tls

_ids = itertools.count(1)

ORDER = ("modbus", "opcua", "http", "ssh", "ftp", "telnet", "https", "tls", "modbus-tls", "tcp")


@dataclass(frozen=True)
class Beat:
    """One heartbeat attempt."""

    ok: bool
    latency_s: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Heartbeat:
    """What the watch does for a heartbeat."""

    kind: str
    """A protocol of :data:`ORDER`, or ``snmp``."""
    port: PortSpec

    def describe(self, target: ProbeTarget) -> str:
        """For the report and the dry run."""
        what = {
            "modbus": f"read holding register {target.modbus_register} at unit {target.modbus_unit_id}",
            "opcua": "OPC UA Hello, read Acknowledge",
            "http": "GET /, read the status line",
            "https": "TLS 1.2 ClientHello, read ServerHello, cancel",
            "tls": "TLS 1.2 ClientHello, read ServerHello, cancel",
            "modbus-tls": "TLS 1.2 ClientHello, read ServerHello, cancel",
            "ssh": "read the SSH identification",
            "ftp": "read the FTP greeting, send QUIT",
            "telnet": "read the first bytes (option negotiation or banner)",
            "tcp": "connect and close",
            "snmp": "SNMPv3 engine discovery (no credentials)",
        }[self.kind]
        return f"{self.kind} {self.port.label}: {what}"


def choose(target: ProbeTarget, open_ports: tuple[str, ...] | None = None) -> Heartbeat | None:
    """The heartbeat for a target: the user's choice, else the first protocol of :data:`ORDER`
    (among the TCP ports found open, when that is known)."""
    declared = [
        p
        for p in target.ports
        if p.source == "user"
        and (open_ports is None or p.transport is not Transport.TCP or p.label in open_ports)
    ]
    wanted = (target.heartbeat or "").strip().lower()
    if wanted:
        for spec in declared:
            if wanted in (spec.protocol, spec.label):
                kind = spec.protocol if spec.protocol in (*ORDER, "snmp") else "tcp"
                return Heartbeat(kind, spec)
        if wanted.startswith("tcp/") and wanted[4:].isdigit():
            return Heartbeat("tcp", PortSpec(int(wanted[4:]), Transport.TCP, "tcp"))
    for kind in ORDER:
        for spec in declared:
            if spec.protocol == kind:
                return Heartbeat(kind, spec)
    for spec in declared:
        if spec.transport is Transport.TCP:
            return Heartbeat("tcp", spec)
    for spec in declared:
        if spec.protocol == "snmp":
            return Heartbeat("snmp", spec)
    return None


async def beat(hb: Heartbeat, target: ProbeTarget, *, connect_timeout: float, timeout: float) -> Beat:
    """One heartbeat attempt."""
    if hb.kind == "snmp":
        return await _snmp_beat(hb.port.port, timeout)
    try:
        conn = await TcpConn.open(hb.port.port, timeout=connect_timeout)
    except ConnectionRefusedError:
        return Beat(False, error="connection refused")
    except TimeoutError:
        return Beat(False, error="connect timed out")
    except OSError as exc:
        return Beat(False, error=f"connect failed: {exc.strerror or type(exc).__name__}")
    loop = asyncio.get_running_loop()
    try:
        if hb.kind == "tcp":
            return Beat(True, conn.connect_s)
        start = loop.time()
        ok, error = await _exchange(hb.kind, conn, target, timeout)
        latency = loop.time() - start
        return Beat(ok, latency if ok else None, error)
    except WireError as exc:
        return Beat(False, error=f"unexpected reply: {exc}")
    finally:
        await conn.close()


async def _exchange(kind: str, conn: TcpConn, target: ProbeTarget, timeout: float) -> tuple[bool, str | None]:
    if kind == "modbus":
        tid = next(_ids) & 0xFFFF
        await conn.send(modbus.read_holding(tid, target.modbus_unit_id, target.modbus_register))
        if not await conn.wait_for(modbus.complete, timeout):
            return False, "no Modbus reply"
        response = modbus.parse(conn.take())
        return (True, None) if response.transaction == tid else (False, "Modbus reply to another transaction")
    if kind == "opcua":
        await conn.send(opcua.hello(f"opc.tcp://{target.host}:{conn.port}"))
        if not await conn.wait_for(opcua.complete, timeout):
            return False, "no OPC UA Acknowledge"
        opcua.acknowledge(conn.take())
        return True, None
    if kind == "http":
        await conn.send(http.request(target.host, port=conn.port))
        if not await conn.wait_for(http.head_complete, timeout):
            return False, "no HTTP response"
        http.parse(conn.take())
        return True, None
    if kind in ("https", "tls", "modbus-tls"):
        await conn.send(tls.client_hello(tls.TLS12))
        await conn.wait_for(lambda b: tls.scan_safely(b).complete, timeout)
        flight = tls.scan_safely(conn.take())
        if flight.version is not None:
            await conn.send(tls.cancel(flight.version))
        return (flight.tls and (flight.version is not None or flight.alert is not None)), (
            None if flight.tls else "no TLS answer"
        )
    if kind == "ssh":
        await conn.wait_for(lambda b: ssh.identification(b) is not None, timeout)
        found = ssh.identification(conn.take())
        return (True, None) if found else (False, "no SSH identification")
    if kind == "ftp":
        await conn.wait_for(lambda b: ftp.reply(b) is not None, timeout)
        reply = ftp.reply(conn.take())
        if reply is None:
            return False, "no FTP greeting"
        await conn.send(b"QUIT\r\n")
        await conn.wait_for(lambda b: ftp.reply(b) is not None, timeout)
        return True, None
    if kind == "telnet":
        data = await conn.read_some(timeout)
        return (True, None) if data else (False, "no Telnet negotiation or banner")
    raise WireError(f"unknown heartbeat kind {kind}")


async def _snmp_beat(port: int, timeout: float) -> Beat:
    reading = await engine_reading(port, timeout)
    if reading is None:
        return Beat(False, error="no answer to SNMPv3 discovery")
    return Beat(True, reading[2])


async def engine_reading(port: int, timeout: float) -> tuple[int, int, float] | None:
    """(snmpEngineBoots, snmpEngineTime, latency) from SNMPv3 discovery, or None."""
    flow = await UdpFlow.open(port)
    loop = asyncio.get_running_loop()
    try:
        ids = int.from_bytes(os.urandom(3), "big")
        start = loop.time()
        await flow.send(snmp.discovery_request(ids, ids + 1))
        answer = await flow.receive(timeout)
        latency = loop.time() - start
        if answer is None:
            return None
        try:
            message = snmp.parse(answer[0])
        except WireError:
            return None
        if message.engine_boots is None or message.engine_time is None:
            return None
        return message.engine_boots, message.engine_time, latency
    finally:
        await flow.close()


async def sysuptime_reading(port: int, timeout: float) -> int | None:
    """sysUpTime (hundredths of a second) with community ``public``, or None."""
    flow = await UdpFlow.open(port)
    try:
        rid = int.from_bytes(os.urandom(3), "big")
        await flow.send(snmp.get_request(1, b"public", rid, (snmp.SYS_UPTIME,)))
        answer = await flow.receive(timeout)
        if answer is None:
            return None
        try:
            message = snmp.parse(answer[0])
        except WireError:
            return None
        value = message.value(snmp.SYS_UPTIME)
        return int(value) if value is not None and value.isdigit() else None
    finally:
        await flow.close()


async def port_open(port: int, connect_timeout: float) -> bool | None:
    """Connect-only: True (accepted), False (refused), None (no answer)."""
    try:
        conn = await TcpConn.open(port, timeout=connect_timeout)
    except ConnectionRefusedError:
        return False
    except (TimeoutError, OSError):
        return None
    await conn.close()
    return True
