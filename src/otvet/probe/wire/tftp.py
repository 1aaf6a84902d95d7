"""TFTP packets (RFC 1350): a read request for a name that does not exist, and replies."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

RRQ, DATA, ACK, ERROR, OACK = 1, 3, 4, 5, 6
PROBE_FILE = "otvet-probe-nonexistent-file"


def read_request(name: str = PROBE_FILE) -> bytes:
    """A read request in octet mode."""
    return struct.pack(">H", RRQ) + name.encode("ascii") + b"\x00octet\x00"


def error(code: int = 0, message: str = "otvet probe: transfer not wanted") -> bytes:
    """An ERROR packet, sent to end a transfer the server started."""
    return struct.pack(">HH", ERROR, code) + message.encode("ascii") + b"\x00"


@dataclass(frozen=True)
class Packet:
    """A TFTP reply."""

    opcode: int
    code: int | None = None
    message: str | None = None


def parse(data: bytes) -> Packet:
    """Parse a TFTP reply."""
    if len(data) < 4:
        raise WireError("TFTP packet too short")
    opcode = struct.unpack(">H", data[:2])[0]
    if opcode == ERROR:
        code = struct.unpack(">H", data[2:4])[0]
        message = data[4:516].split(b"\x00", 1)[0].decode("latin-1")
        return Packet(opcode, code, message)
    if opcode in (DATA, ACK, OACK):
        return Packet(opcode, struct.unpack(">H", data[2:4])[0] if opcode != OACK else None)
    raise WireError(f"unexpected TFTP opcode {opcode}")
