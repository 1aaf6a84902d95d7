"""OPC UA Connection Protocol Hello/Acknowledge (OPC 10000-6, section 7.1.2), for heartbeats.

A Hello opens no secure channel and no session: the server answers Acknowledge (or Error)
and the client closes the TCP connection. The full exchanges (GetEndpoints, sessions) are
done by asyncua through the probe's guarded loop.
"""

from __future__ import annotations

import struct

from otvet.probe.wire.errors import WireError


def hello(endpoint_url: str) -> bytes:
    """A HEL message with conservative buffer sizes."""
    url = endpoint_url.encode("utf-8")
    body = struct.pack("<IIIII", 0, 65536, 65536, 0, 0) + struct.pack("<i", len(url)) + url
    return b"HELF" + struct.pack("<I", 8 + len(body)) + body


def complete(buffer: bytes) -> bool:
    """Whether one whole message (or a malformed header) has arrived."""
    if len(buffer) < 8:
        return False
    size = int.from_bytes(buffer[4:8], "little")
    return size < 8 or size > 65536 or len(buffer) >= size


def acknowledge(buffer: bytes) -> tuple[bool, str]:
    """(acknowledged, description) of the server's answer to Hello."""
    if len(buffer) < 8:
        raise WireError("OPC UA reply too short")
    kind = buffer[:4]
    if kind == b"ACKF":
        return True, "Acknowledge"
    if kind == b"ERRF" and len(buffer) >= 12:
        code = struct.unpack("<I", buffer[8:12])[0]
        return False, f"Error 0x{code:08X}"
    raise WireError(f"not an OPC UA connection-protocol reply ({kind!r})")
