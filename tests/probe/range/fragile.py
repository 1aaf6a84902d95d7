"""The fragile device: an RTU with a network card that breaks easily, written on purpose.

It keeps at most 2 Modbus/TCP sessions; a third connection is closed at once. A session is
freed only when the client closes it cleanly (FIN): a reset or an idle connection keeps its
slot forever, as on cards that never reclaim abandoned sessions (angryip/ipscan#467). It
"crashes" when it accepts 5 connections within one second, or on a malformed Modbus frame:
it then goes silent (the port refuses connections, SNMP does not answer) for ``down_s``
seconds and comes back with its uptime reset. Its SNMPv2c agent (community ``public``)
reports sysUpTime since the last (re)boot. The device keeps its own ledger, since a proxy in
front would hide how clients end their sessions.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections import deque
from typing import Any

from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import api

from otvet.model.probe import Transport
from tests.probe.range.base import Connection
from tests.probe.range.device import Device

MAX_SESSIONS = 2
CRASH_CONNECTIONS = 5
CRASH_WINDOW_S = 1.0
SYS_DESCR = "Fragile Controls FR-10 RTU, firmware 1.0"


class FragileDevice(Device):
    """A Modbus/TCP RTU with 2 session slots and a low tolerance for bursts."""

    kind = "fragile"

    def __init__(self, address: str, variant: str = "fragile", *, down_s: float = 6.0) -> None:
        super().__init__(address, variant)
        self.vendor = "Fragile Controls"
        self.down_s = down_s
        self.booted = time.monotonic()
        self.down = False
        self.sessions: dict[int, Connection] = {}
        self.leaked: set[int] = set()
        self.accepts: deque[float] = deque(maxlen=CRASH_CONNECTIONS)
        self.registers = [1000 + i for i in range(100)]
        self.crashes: list[str] = []
        self._writers: dict[int, asyncio.StreamWriter] = {}
        self._server: asyncio.Server | None = None
        self._snmp: asyncio.DatagramTransport | None = None

    # lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, self.address, 0)
        port = self._server.sockets[0].getsockname()[1]
        self.ports["modbus"] = (port, Transport.TCP)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Snmp(self), local_addr=(self.address, 0))
        self._snmp = transport
        self.ports["snmp"] = (transport.get_extra_info("sockname")[1], Transport.UDP)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._snmp is not None:
            self._snmp.close()

    def reset(self) -> None:
        """Power-cycle between tests: no sessions, no leaks, uptime from now."""
        self.sessions.clear()
        self.leaked.clear()
        self.accepts.clear()
        self.booted = time.monotonic()

    @property
    def uptime_ticks(self) -> int:
        """sysUpTime in hundredths of a second since the last boot."""
        return int((time.monotonic() - self.booted) * 100)

    async def crash(self, reason: str) -> None:
        """Go silent for ``down_s`` seconds, then reboot with the uptime reset."""
        if self.down:
            return
        self.down = True
        self.crashes.append(reason)
        self.ledger.log("crash", reason=reason)
        port = self.ports["modbus"][0]
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers.values()):
            writer.transport.abort()
        await asyncio.sleep(self.down_s)
        self.sessions.clear()
        self.leaked.clear()
        self.accepts.clear()
        self.booted = time.monotonic()
        self._server = await asyncio.start_server(self._session, self.address, port, reuse_address=True)
        self.down = False
        self.ledger.log("reboot")

    # Modbus sessions -------------------------------------------------------------------

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        now = time.monotonic()
        with self.ledger.lock:
            conn = Connection(
                index=len(self.ledger.connections) + 1,
                port=self.ports["modbus"][0],
                peer=writer.get_extra_info("peername"),
                accepted=now,
                accepted_wall=time.time(),
            )
            self.ledger.connections.append(conn)
        self.accepts.append(now)
        if len(self.accepts) == CRASH_CONNECTIONS and now - self.accepts[0] <= CRASH_WINDOW_S:
            conn.ended, conn.end = time.monotonic(), "server"
            writer.transport.abort()
            asyncio.get_running_loop().create_task(
                self.crash(f"{CRASH_CONNECTIONS} connections within {CRASH_WINDOW_S:g} s")
            )
            return
        if len(self.sessions) + len(self.leaked) >= MAX_SESSIONS:
            self.ledger.log("session-refused", active=len(self.sessions), leaked=len(self.leaked))
            conn.ended, conn.end = time.monotonic(), "server"
            writer.close()
            return
        self.sessions[conn.index] = conn
        self._writers[conn.index] = writer
        try:
            buffer = b""
            while True:
                data = await reader.read(1024)
                if not data:
                    conn.ended, conn.end = time.monotonic(), "eof"
                    break
                conn.bytes_in += len(data)
                buffer += data
                while len(buffer) >= 7:
                    tid, proto, length, unit = struct.unpack(">HHHB", buffer[:7])
                    if proto != 0 or length < 2 or length > 254:
                        asyncio.get_running_loop().create_task(self.crash("malformed Modbus frame"))
                        return
                    if len(buffer) < 6 + length:
                        break
                    pdu, buffer = buffer[7 : 6 + length], buffer[6 + length :]
                    reply = self._answer(pdu)
                    out = struct.pack(">HHHB", tid, 0, len(reply) + 1, unit) + reply
                    conn.bytes_out += len(out)
                    writer.write(out)
        except ConnectionResetError:
            conn.ended, conn.end = time.monotonic(), "reset"
            self.leaked.add(conn.index)  # never reclaimed
        finally:
            self.sessions.pop(conn.index, None)
            self._writers.pop(conn.index, None)
            if conn.end is None:
                conn.ended, conn.end = time.monotonic(), "server"
            writer.close()

    def _answer(self, pdu: bytes) -> bytes:
        function = pdu[0]
        if function == 3 and len(pdu) >= 5:
            address, count = struct.unpack(">HH", pdu[1:5])
            if not 1 <= count <= 125 or address + count > len(self.registers):
                return bytes([0x83, 2])
            values = self.registers[address : address + count]
            return bytes([3, 2 * count]) + b"".join(struct.pack(">H", v) for v in values)
        if function == 6 and len(pdu) >= 5:
            address, value = struct.unpack(">HH", pdu[1:5])
            self.ledger.log("write", service="modbus", address=address, value=value)
            if address >= len(self.registers):
                return bytes([0x86, 2])
            self.registers[address] = value
            return pdu[:5]
        if function == 0x2B and len(pdu) >= 4 and pdu[1] == 0x0E:
            objects = [(0, b"Fragile Controls"), (1, b"FR-10"), (2, b"1.0")]
            body = bytes([0x2B, 0x0E, 1, 0x01, 0, 0, len(objects)])
            for object_id, value in objects:
                body += bytes([object_id, len(value)]) + value
            return body
        return bytes([function | 0x80, 1])


class _Snmp(asyncio.DatagramProtocol):
    """SNMPv1/v2c agent with community ``public``: sysDescr, sysObjectID, sysUpTime (pysnmp API)."""

    def __init__(self, device: FragileDevice) -> None:
        self.device = device
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.device.down or self.transport is None:
            return
        try:
            version = int(api.decodeMessageVersion(data))
            module = api.PROTOCOL_MODULES[version]
            request, _ = decoder.decode(data, asn1Spec=module.Message())
        except (PyAsn1Error, ValueError, KeyError):
            self.device.ledger.log("datagram", service="snmp", version="?")
            return
        community = str(module.apiMessage.get_community(request))
        pdu = module.apiMessage.get_pdu(request)
        self.device.ledger.log(
            "datagram",
            service="snmp",
            version=version,
            community=community,
            pdu=pdu.getName() if hasattr(pdu, "getName") else "",
        )
        if community != "public" or not pdu.isSameTypeWith(module.GetRequestPDU()):
            if pdu.isSameTypeWith(module.SetRequestPDU()):
                self.device.ledger.log("write", service="snmp")
            return
        values = {
            "1.3.6.1.2.1.1.1.0": module.OctetString(SYS_DESCR),
            "1.3.6.1.2.1.1.2.0": module.ObjectIdentifier("1.3.6.1.4.1.99999.2"),
            "1.3.6.1.2.1.1.3.0": module.TimeTicks(self.device.uptime_ticks),
        }
        response = module.apiMessage.get_response(request)
        rpdu = module.apiMessage.get_pdu(response)
        binds = []
        for oid, _ in module.apiPDU.get_varbinds(pdu):
            binds.append((oid, values.get(str(oid), module.Null(""))))
        module.apiPDU.set_varbinds(rpdu, binds)
        self.transport.sendto(encoder.encode(response), addr)
