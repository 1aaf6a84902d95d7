"""TLS ClientHello probes: which protocol versions a server accepts, read from the wire.

The probe asks each version with its own hand-built ClientHello and reads the server's first
flight. Whether a server *accepts* TLS 1.0 is then a fact about the server, not about the
local OpenSSL build or its security level (OpenSSL 3 refuses TLS 1.0/1.1 at its default
level 1, so a scan through the local library would call a TLS 1.0 server "safe"); see
``docs/adr/0051-tls-version-detection.md``. The handshake is then cancelled with the alerts
RFC 5246 section 7.2.1 provides for it (``user_canceled`` followed by ``close_notify``)
and the TCP connection closed normally.

For TLS 1.2 and older the server's Certificate message travels in clear, so the same flight
yields the certificate chain.

References: RFC 6101 (SSL 3.0), RFC 2246/4346/5246 (TLS 1.0-1.2), RFC 8446 (TLS 1.3),
RFC 8422 (ECC groups and point formats), RFC 5746 (renegotiation indication).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {SSL3: "SSL 3.0", TLS10: "TLS 1.0", TLS11: "TLS 1.1", TLS12: "TLS 1.2", TLS13: "TLS 1.3"}
LEGACY = (SSL3, TLS10, TLS11)

_HANDSHAKE, _ALERT, _CCS, _APPDATA = 22, 21, 20, 23
_HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
MAX_FLIGHT = 64 * 1024
"""The probe reads at most this much of a server's first flight."""

# NOTE: a broad list (modern AEAD, CBC, DHE, RSA key transport, and the 3DES/RC4 suites old
# devices may only have), so a server that supports a version finds a suite to answer with.
SUITES_12 = (
    0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC009, 0xC013, 0xC00A, 0xC014,
    0x009E, 0x009F, 0x0033, 0x0039, 0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035,
    0x000A, 0x0016, 0x0005, 0x0004, 0x00FF,
)  # fmt: skip
SUITES_13 = (0x1301, 0x1302, 0x1303)
GROUPS = (0x001D, 0x0017, 0x0018, 0x0019, 0x0100)
"""x25519, secp256r1, secp384r1, secp521r1, ffdhe2048."""
SIGNATURE_ALGORITHMS = (
    0x0403,
    0x0503,
    0x0603,
    0x0807,
    0x0804,
    0x0805,
    0x0806,
    0x0401,
    0x0501,
    0x0601,
    0x0203,
    0x0201,
)

ALERTS = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    43: "unsupported_certificate",
    47: "illegal_parameter",
    48: "unknown_ca",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    109: "missing_extension",
    112: "unrecognized_name",
    116: "certificate_required",
    120: "no_application_protocol",
}


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack(">HH", kind, len(body)) + body


def _u16_list(values: tuple[int, ...]) -> bytes:
    return struct.pack(">H", 2 * len(values)) + b"".join(struct.pack(">H", v) for v in values)


def client_hello(version: int, *, key_share: bytes | None = None, random: bytes | None = None) -> bytes:
    """One ClientHello record offering exactly ``version``.

    For TLS 1.3, ``key_share`` is an X25519 public key (32 bytes); the handshake is never
    completed, so the private key is never used.
    """
    if version not in VERSION_NAMES:
        raise ValueError(f"unknown TLS version 0x{version:04x}")
    rnd = random or os.urandom(32)
    if version == TLS13:
        if key_share is None or len(key_share) != 32:
            raise ValueError("TLS 1.3 needs a 32-byte X25519 key share")
        legacy, session = TLS12, os.urandom(32)
        suites: tuple[int, ...] = SUITES_13
        extensions = (
            _ext(0x000A, _u16_list(GROUPS))
            + _ext(0x000D, _u16_list(SIGNATURE_ALGORITHMS))
            + _ext(0x002B, bytes([2]) + struct.pack(">H", TLS13))
            + _ext(0x0033, struct.pack(">H", 36) + struct.pack(">HH", 0x001D, 32) + key_share)
            + _ext(0x002D, bytes([1, 1]))
        )
    else:
        legacy, session = version, b""
        suites = SUITES_12
        extensions = b""
        if version != SSL3:
            # SSL 3.0 predates extensions; some SSL 3.0 stacks reject a hello that has them.
            extensions = _ext(0x000A, _u16_list(GROUPS)) + _ext(0x000B, bytes([1, 0])) + _ext(0xFF01, b"\x00")
            if version == TLS12:
                extensions += _ext(0x000D, _u16_list(SIGNATURE_ALGORITHMS))
    body = (
        struct.pack(">H", legacy)
        + rnd
        + bytes([len(session)])
        + session
        + _u16_list(suites)
        + bytes([1, 0])
        + (struct.pack(">H", len(extensions)) + extensions if extensions else b"")
    )
    handshake = bytes([1]) + len(body).to_bytes(3, "big") + body
    record_version = SSL3 if version == SSL3 else TLS10
    return struct.pack(">BHH", _HANDSHAKE, record_version, len(handshake)) + handshake


def cancel(version: int) -> bytes:
    """``user_canceled`` then ``close_notify`` (warning level), in the negotiated record version."""
    record = min(version, TLS12) if version in VERSION_NAMES else TLS10
    return (
        struct.pack(">BHH", _ALERT, record, 2)
        + bytes([1, 90])
        + struct.pack(">BHH", _ALERT, record, 2)
        + bytes([1, 0])
    )


@dataclass(frozen=True)
class Flight:
    """What the server's first flight shows."""

    complete: bool
    """Enough was read to decide (a ServerHello and, up to TLS 1.2, ServerHelloDone; or an alert)."""
    tls: bool = True
    """False when the bytes are not TLS records (another protocol answered)."""
    version: int | None = None
    """The negotiated version (from supported_versions for TLS 1.3)."""
    cipher: int | None = None
    alert: int | None = None
    """Alert description, when the server refused."""
    hello_retry: bool = False
    certificates: tuple[bytes, ...] = ()
    messages: tuple[int, ...] = ()

    @property
    def alert_name(self) -> str | None:
        """Name of the alert, if any."""
        return None if self.alert is None else ALERTS.get(self.alert, f"alert {self.alert}")


def _records(buffer: bytes) -> tuple[list[tuple[int, int, bytes]], bool]:
    """Whole records in ``buffer`` and whether the bytes look like TLS at all."""
    records: list[tuple[int, int, bytes]] = []
    offset = 0
    while offset + 5 <= len(buffer):
        kind, version, size = struct.unpack(">BHH", buffer[offset : offset + 5])
        if kind not in (_HANDSHAKE, _ALERT, _CCS, _APPDATA) or version >> 8 != 3 or size > 18432:
            return records, False
        if offset + 5 + size > len(buffer):
            break
        records.append((kind, version, buffer[offset + 5 : offset + 5 + size]))
        offset += 5 + size
    if offset == 0 and len(buffer) >= 1 and buffer[0] not in (_HANDSHAKE, _ALERT, _CCS, _APPDATA):
        return records, False
    return records, True


def _server_hello(body: bytes) -> tuple[int, int, bool]:
    """(negotiated version, cipher, hello retry) of a ServerHello body."""
    if len(body) < 38:
        raise WireError("ServerHello too short")
    version = struct.unpack(">H", body[:2])[0]
    random = body[2:34]
    sid = body[34]
    offset = 35 + sid
    if offset + 3 > len(body):
        raise WireError("ServerHello truncated")
    cipher = struct.unpack(">H", body[offset : offset + 2])[0]
    offset += 3
    if offset + 2 <= len(body):
        total = struct.unpack(">H", body[offset : offset + 2])[0]
        end = offset + 2 + total
        if end > len(body):
            raise WireError("ServerHello extensions truncated")
        offset += 2
        while offset + 4 <= end:
            kind, size = struct.unpack(">HH", body[offset : offset + 4])
            data = body[offset + 4 : offset + 4 + size]
            if len(data) != size:
                raise WireError("ServerHello extension truncated")
            if kind == 0x002B and size == 2:
                version = struct.unpack(">H", data)[0]
            offset += 4 + size
    return version, cipher, random == _HRR_RANDOM


def _certificates(body: bytes) -> tuple[bytes, ...]:
    if len(body) < 3:
        raise WireError("Certificate message too short")
    total = int.from_bytes(body[:3], "big")
    if total + 3 > len(body):
        raise WireError("Certificate list truncated")
    certs: list[bytes] = []
    offset = 3
    while offset + 3 <= 3 + total and len(certs) < 16:
        size = int.from_bytes(body[offset : offset + 3], "big")
        cert = body[offset + 3 : offset + 3 + size]
        if len(cert) != size:
            raise WireError("certificate truncated")
        certs.append(cert)
        offset += 3 + size
    return tuple(certs)


def scan(buffer: bytes) -> Flight:
    """Interpret what arrived so far (call again as more arrives)."""
    records, is_tls = _records(buffer[:MAX_FLIGHT])
    if not is_tls:
        return Flight(complete=True, tls=False)
    handshake = bytearray()
    for kind, _, payload in records:
        if kind == _ALERT:
            if len(payload) < 2:
                raise WireError("alert record too short")
            return Flight(complete=True, alert=payload[1])
        if kind == _HANDSHAKE:
            handshake.extend(payload)
        else:
            break
    version = cipher = None
    retry = False
    certs: tuple[bytes, ...] = ()
    seen: list[int] = []
    offset = 0
    while offset + 4 <= len(handshake):
        kind = handshake[offset]
        size = int.from_bytes(handshake[offset + 1 : offset + 4], "big")
        body = bytes(handshake[offset + 4 : offset + 4 + size])
        if len(body) < size:
            break
        seen.append(kind)
        if kind == 2:
            version, cipher, retry = _server_hello(body)
            if version == TLS13 or retry:
                return Flight(
                    complete=True, version=version, cipher=cipher, hello_retry=retry, messages=tuple(seen)
                )
        elif kind == 11:
            certs = _certificates(body)
        elif kind == 14:
            return Flight(
                complete=True, version=version, cipher=cipher, certificates=certs, messages=tuple(seen)
            )
        offset += 4 + size
    if len(buffer) >= MAX_FLIGHT and version is not None:
        return Flight(complete=True, version=version, cipher=cipher, certificates=certs, messages=tuple(seen))
    return Flight(complete=False, version=version, cipher=cipher, certificates=certs, messages=tuple(seen))


def scan_safely(buffer: bytes) -> Flight:
    """:func:`scan` that reports malformed input as a complete, non-TLS flight."""
    try:
        return scan(buffer)
    except WireError:
        return Flight(complete=True, tls=False)
