"""Telnet, FTP, TFTP and cleartext HTTP, written with plain asyncio.

Bad variant (like the Northwind RTU): all four on, ``admin``/``admin`` accepted by Telnet, FTP
and HTTP Basic, anonymous FTP accepted. Good variant: all four off (the ports refuse).
Variant ``lockout``: HTTP Basic that locks the account after 3 failures (HTTP 423).
Every login attempt is logged as an ``auth`` event.
"""

from __future__ import annotations

import asyncio
import base64
import struct

from otvet.model.probe import Transport
from tests.probe.range.device import Device, close, read_line

IAC, DO, WILL, SB, SE = 255, 253, 251, 250, 240
GOOD_USER = ("admin", "admin")
ACCOUNTS = {GOOD_USER}


def _strip_telnet(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == IAC and i + 1 < len(data):
            if data[i + 1] in (251, 252, 253, 254):
                i += 3
                continue
            if data[i + 1] == SB:
                end = data.find(bytes([IAC, SE]), i)
                i = len(data) if end < 0 else end + 2
                continue
            i += 2
            continue
        out.append(data[i])
        i += 1
    return bytes(out)


class LegacyDevice(Device):
    """Telnet + FTP + TFTP + HTTP."""

    kind = "legacy"

    async def start(self) -> None:
        if self.variant == "good":
            for protocol in ("telnet", "ftp", "http"):
                self.closed(protocol)
            # A device has something running: a plain TCP service for the heartbeat.
            await self.serve_tcp("tcp", _idle)
            self.closed_udp("tftp")
            return
        await self.serve_tcp("telnet", self._telnet)
        await self.serve_tcp("ftp", self._ftp)
        await self.serve_tcp("http", self._http)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Tftp(self), local_addr=(self.address, 0))
        self._servers.append(transport)
        self.ports["tftp"] = (transport.get_extra_info("sockname")[1], Transport.UDP)
        self.failures = 0

    # Telnet ---------------------------------------------------------------------------

    async def _telnet(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            bytes([IAC, DO, 24, IAC, WILL, 1, IAC, WILL, 3])
            + b"\r\nNW-RTU 500 (Northwind Controls) maintenance console\r\nlogin: "
        )
        try:
            while True:
                raw = await read_line(reader)
                if raw is None:
                    return
                user = _strip_telnet(raw).strip().decode("latin-1")
                if not user:
                    continue
                writer.write(b"Password: ")
                raw = await read_line(reader)
                if raw is None:
                    return
                password = _strip_telnet(raw).strip().decode("latin-1")
                ok = (user, password) in ACCOUNTS
                self.ledger.log("auth", service="telnet", user=user, ok=ok)
                if ok:
                    writer.write(b"\r\nnw-rtu# ")
                    await asyncio.sleep(0.05)
                    return
                writer.write(b"\r\nLogin incorrect\r\nlogin: ")
        finally:
            await close(writer)

    # FTP ------------------------------------------------------------------------------

    async def _ftp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 NW-RTU 500 FTP server ready\r\n")
        user = None
        try:
            while True:
                line = await read_line(reader)
                if line is None:
                    return
                command, _, argument = line.decode("latin-1").partition(" ")
                command = command.upper()
                if command == "USER":
                    user = argument
                    writer.write(b"331 Password required\r\n")
                elif command == "PASS":
                    ok = (user, argument) in ACCOUNTS or (user or "").lower() == "anonymous"
                    self.ledger.log("auth", service="ftp", user=user, ok=ok)
                    writer.write(b"230 Logged in\r\n" if ok else b"530 Login incorrect\r\n")
                elif command == "QUIT":
                    writer.write(b"221 Goodbye\r\n")
                    await writer.drain()
                    return
                elif command in ("STOR", "DELE", "MKD", "RNTO", "APPE"):
                    self.ledger.log("write", service="ftp", command=command)
                    writer.write(b"530 Not logged in\r\n")
                else:
                    writer.write(b"502 Command not implemented\r\n")
        finally:
            await close(writer)

    # HTTP -----------------------------------------------------------------------------

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await read_line(reader)
            if request is None:
                return
            headers: dict[str, str] = {}
            while (line := await read_line(reader)) not in (None, b""):
                assert line is not None
                key, _, value = line.decode("latin-1").partition(":")
                headers[key.strip().lower()] = value.strip()
            method = request.split(b" ", 1)[0].decode("latin-1")
            if method not in ("GET", "HEAD"):
                self.ledger.log("write", service="http", method=method)
            auth = headers.get("authorization")
            status, body = 401, b"<html><body>Authentication required</body></html>"
            if auth is not None:
                user, _, password = base64.b64decode(auth.split(" ", 1)[-1]).decode("latin-1").partition(":")
                ok = (user, password) in ACCOUNTS
                if self.variant == "lockout" and self.failures >= 3:
                    ok = False
                    status, body = 423, b"account locked"
                elif ok:
                    status, body = 200, b"<html><body>NW-RTU 500 status: running</body></html>"
                else:
                    self.failures += 1
                self.ledger.log("auth", service="http", user=user, ok=ok)
            reason = {200: "OK", 401: "Unauthorized", 423: "Locked"}[status]
            head = f"HTTP/1.1 {status} {reason}\r\nServer: NW-RTU/3.2.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
            if status == 401:
                head += 'WWW-Authenticate: Basic realm="NW-RTU 500"\r\n'
            writer.write(head.encode() + b"\r\n" + body)
            await writer.drain()
        finally:
            await close(writer)


async def _idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accepts, reads until the client closes, closes."""
    try:
        while await reader.read(4096):
            pass
    finally:
        await close(writer)


class _Tftp(asyncio.DatagramProtocol):
    """Answers every read request with ERROR 1 from a new port (its transfer id, RFC 1350)."""

    def __init__(self, device: LegacyDevice) -> None:
        self.device = device

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        opcode = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 0
        name = data[2:].split(b"\x00", 1)[0].decode("latin-1", "replace")
        self.device.ledger.log("datagram", service="tftp", opcode=opcode, file=name, peer=addr)
        if opcode == 2:
            self.device.ledger.log("write", service="tftp", file=name)
        if opcode in (1, 2):
            asyncio.get_running_loop().create_task(self._reply(addr))

    async def _reply(self, addr: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=(self.device.address, 0)
        )
        transport.sendto(struct.pack(">HH", 5, 1) + b"File not found\x00", addr)
        await asyncio.sleep(0.1)
        transport.close()
