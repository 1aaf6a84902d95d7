"""SSH identification and the server's key-exchange offer (one KEXINIT), read from the wire.

The probe sends its identification string, reads the server's identification and its first
binary packet (SSH_MSG_KEXINIT, sent in clear before any key exchange), then ends the
connection with SSH_MSG_DISCONNECT (reason 11, "disconnected by application"), also in
clear, as RFC 4253 allows before keys are exchanged.

References: RFC 4253 sections 4.2 (identification), 6 (binary packet), 7.1 (KEXINIT),
11.1 (DISCONNECT).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

CLIENT_ID = b"SSH-2.0-otvet_probe\r\n"
MAX_PACKET = 35000
"""RFC 4253 section 6.1: implementations must accept packets of 35000 bytes."""
NAME_LISTS = (
    "kex_algorithms",
    "server_host_key_algorithms",
    "encryption_algorithms_client_to_server",
    "encryption_algorithms_server_to_client",
    "mac_algorithms_client_to_server",
    "mac_algorithms_server_to_client",
    "compression_algorithms_client_to_server",
    "compression_algorithms_server_to_client",
)


def identification(buffer: bytes) -> tuple[str, int] | None:
    """The server's identification line and where the binary protocol starts, if complete.

    RFC 4253 section 4.2: the server may send other lines before the ``SSH-`` line.
    """
    offset = 0
    for _ in range(32):
        end = buffer.find(b"\n", offset)
        if end < 0:
            if len(buffer) - offset > 255:
                raise WireError("SSH identification line longer than 255 bytes")
            return None
        line = buffer[offset:end].rstrip(b"\r")
        if line.startswith(b"SSH-"):
            return line.decode("latin-1").encode("ascii", "backslashreplace").decode("ascii"), end + 1
        offset = end + 1
    raise WireError("no SSH identification line in the first 32 lines")


def packet_complete(data: bytes) -> bool:
    """Whether ``data`` (after the identification) holds one whole unencrypted packet."""
    if len(data) < 5:
        return False
    length = int.from_bytes(data[:4], "big")
    return length > MAX_PACKET or len(data) >= 4 + length


@dataclass(frozen=True)
class KexInit:
    """The server's algorithm offer."""

    lists: dict[str, tuple[str, ...]]
    first_kex_packet_follows: bool


def _name_list(body: bytes, offset: int) -> tuple[tuple[str, ...], int]:
    if offset + 4 > len(body):
        raise WireError("KEXINIT name-list truncated")
    size = struct.unpack(">I", body[offset : offset + 4])[0]
    raw = body[offset + 4 : offset + 4 + size]
    if len(raw) != size:
        raise WireError("KEXINIT name-list runs past the packet")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise WireError("KEXINIT name-list is not ASCII") from None
    names = tuple(n for n in text.split(",") if n)[:128]
    return names, offset + 4 + size


def kexinit(data: bytes) -> KexInit:
    """Parse the first binary packet, which must be SSH_MSG_KEXINIT (20)."""
    if len(data) < 6:
        raise WireError("SSH packet too short")
    length, padding = struct.unpack(">IB", data[:5])
    if length > MAX_PACKET or length < padding + 1 or len(data) < 4 + length:
        raise WireError(f"SSH packet length {length} invalid")
    payload = data[5 : 4 + length - padding]
    if not payload or payload[0] != 20:
        raise WireError(f"expected SSH_MSG_KEXINIT, got message {payload[0] if payload else 'nothing'}")
    offset = 1 + 16  # message number, cookie
    lists: dict[str, tuple[str, ...]] = {}
    for name in NAME_LISTS:
        lists[name], offset = _name_list(payload, offset)
    for _ in range(2):  # languages
        _, offset = _name_list(payload, offset)
    if offset >= len(payload):
        raise WireError("KEXINIT truncated before first_kex_packet_follows")
    return KexInit(lists, bool(payload[offset]))


def disconnect(description: str = "otvet probe done") -> bytes:
    """An unencrypted SSH_MSG_DISCONNECT packet, reason 11 (by application)."""
    text = description.encode("utf-8")
    payload = bytes([1]) + struct.pack(">I", 11) + struct.pack(">I", len(text)) + text + struct.pack(">I", 0)
    padding = 8 - (len(payload) + 5) % 8
    if padding < 4:
        padding += 8
    return struct.pack(">IB", len(payload) + padding + 1, padding) + payload + os.urandom(padding)
