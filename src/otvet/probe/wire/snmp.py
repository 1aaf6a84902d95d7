"""SNMP messages for the probe: v1/v2c GET with a community, and SNMPv3 engine discovery.

A minimal BER encoder/decoder (ITU-T X.690) for exactly the messages the probe sends and the
responses it reads. The decoder is bounded: lengths are checked against the datagram, nesting
is limited, and anything unexpected raises :class:`WireError`.

References: RFC 1157 (SNMPv1), RFC 3416 (v2c PDUs), RFC 3412 section 6 (v3 message format),
RFC 3414 section 4 (engine discovery: a request with an empty engine ID is answered with a
Report carrying usmStatsUnknownEngineIDs and the authoritative engine's ID, boots and time).
"""

from __future__ import annotations

from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
USM_STATS_UNKNOWN_ENGINE_IDS = "1.3.6.1.6.3.15.1.1.4.0"

INTEGER, OCTET_STRING, NULL, OID, SEQUENCE = 0x02, 0x04, 0x05, 0x06, 0x30
IPADDRESS, COUNTER32, GAUGE32, TIMETICKS, OPAQUE, COUNTER64 = 0x40, 0x41, 0x42, 0x43, 0x44, 0x46
NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW = 0x80, 0x81, 0x82
GET, RESPONSE, SET, REPORT = 0xA0, 0xA2, 0xA3, 0xA8
PDU_NAMES = {
    0xA0: "GetRequest",
    0xA1: "GetNextRequest",
    0xA2: "Response",
    0xA3: "SetRequest",
    0xA4: "Trap",
    0xA5: "GetBulkRequest",
    0xA6: "InformRequest",
    0xA7: "SNMPv2-Trap",
    0xA8: "Report",
}
VERSIONS = {0: "v1", 1: "v2c", 3: "v3"}
MAX_DEPTH = 8


# -- encoding --------------------------------------------------------------------------


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    """One BER type-length-value."""
    return bytes([tag]) + _length(len(value)) + value


def integer(value: int) -> bytes:
    """BER INTEGER (two's complement, minimal length)."""
    size = max(1, (value.bit_length() + 8) // 8)
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


def oid(dotted: str) -> bytes:
    """BER OBJECT IDENTIFIER."""
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        rest = arc
        chunk = [rest & 0x7F]
        rest >>= 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def _varbinds(oids: tuple[str, ...]) -> bytes:
    return tlv(SEQUENCE, b"".join(tlv(SEQUENCE, oid(o) + tlv(NULL, b"")) for o in oids))


def get_request(version: int, community: bytes, request_id: int, oids: tuple[str, ...]) -> bytes:
    """A v1 (``version`` 0) or v2c (1) GetRequest for ``oids``."""
    pdu = tlv(GET, integer(request_id) + integer(0) + integer(0) + _varbinds(oids))
    return tlv(SEQUENCE, integer(version) + tlv(OCTET_STRING, community) + pdu)


def discovery_request(message_id: int, request_id: int) -> bytes:
    """An SNMPv3 engine-discovery request (RFC 3414 section 4): noAuthNoPriv, reportable,
    empty engine ID and user name, empty GetRequest. It carries no credentials."""
    header = tlv(SEQUENCE, integer(message_id) + integer(65507) + tlv(OCTET_STRING, b"\x04") + integer(3))
    usm = tlv(
        SEQUENCE,
        tlv(OCTET_STRING, b"")  # msgAuthoritativeEngineID
        + integer(0)  # msgAuthoritativeEngineBoots
        + integer(0)  # msgAuthoritativeEngineTime
        + tlv(OCTET_STRING, b"")  # msgUserName
        + tlv(OCTET_STRING, b"")  # msgAuthenticationParameters
        + tlv(OCTET_STRING, b""),  # msgPrivacyParameters
    )
    scoped = tlv(
        SEQUENCE,
        tlv(OCTET_STRING, b"")
        + tlv(OCTET_STRING, b"")
        + tlv(GET, integer(request_id) + integer(0) + integer(0) + tlv(SEQUENCE, b"")),
    )
    return tlv(SEQUENCE, integer(3) + header + tlv(OCTET_STRING, usm) + scoped)


# -- decoding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A decoded TLV: primitive ``value`` or constructed ``children``."""

    tag: int
    value: bytes
    children: tuple[Node, ...] = ()


def _read(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the TLV at ``offset``."""
    if offset + 2 > len(data):
        raise WireError("BER: truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise WireError("BER: multi-byte tags are not used by SNMP")
    first = data[offset + 1]
    start = offset + 2
    if first < 0x80:
        size = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise WireError("BER: indefinite or oversized length")
        if start + count > len(data):
            raise WireError("BER: truncated length")
        size = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + size
    if end > len(data):
        raise WireError(f"BER: length {size} runs past the end of the message")
    return tag, start, end


def decode(data: bytes, depth: int = 0) -> Node:
    """Decode one TLV that must span all of ``data``."""
    if depth > MAX_DEPTH:
        raise WireError("BER: nesting too deep")
    tag, start, end = _read(data, 0)
    if end != len(data):
        raise WireError("BER: trailing bytes")
    value = data[start:end]
    if tag & 0x20:  # constructed
        children = []
        offset = 0
        while offset < len(value):
            _, _, e = _read(value, offset)
            children.append(decode(value[offset:e], depth + 1))
            offset = e
        return Node(tag, value, tuple(children))
    return Node(tag, value)


def to_int(node: Node) -> int:
    """An INTEGER-like value (INTEGER, Counter, Gauge, TimeTicks)."""
    if (
        node.tag not in (INTEGER, COUNTER32, GAUGE32, TIMETICKS, COUNTER64)
        or not node.value
        or len(node.value) > 9
    ):
        raise WireError(f"BER: expected an integer, got tag 0x{node.tag:02x}")
    signed = node.tag == INTEGER
    return int.from_bytes(node.value, "big", signed=signed)


def to_oid(node: Node) -> str:
    """An OBJECT IDENTIFIER in dotted form."""
    if node.tag != OID or not node.value:
        raise WireError("BER: expected an OID")
    arcs: list[int] = []
    value = 0
    for i, byte in enumerate(node.value):
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            if not arcs:
                first = min(value // 40, 2)
                arcs.extend([first, value - 40 * first])
            else:
                arcs.append(value)
            value = 0
        elif i == len(node.value) - 1:
            raise WireError("BER: OID ends inside an arc")
    return ".".join(str(a) for a in arcs)


def printable(value: bytes, limit: int = 512) -> str:
    """Octets as text an operator can read (non-ASCII escaped), cut at ``limit``."""
    return value[:limit].decode("latin-1").encode("ascii", "backslashreplace").decode("ascii")


def _value(node: Node) -> str:
    if node.tag == OCTET_STRING:
        return printable(node.value)
    if node.tag == OID:
        return to_oid(node)
    if node.tag in (INTEGER, COUNTER32, GAUGE32, TIMETICKS, COUNTER64):
        return str(to_int(node))
    if node.tag == NULL:
        return ""
    if node.tag == NO_SUCH_OBJECT:
        return "noSuchObject"
    if node.tag == NO_SUCH_INSTANCE:
        return "noSuchInstance"
    if node.tag == END_OF_MIB_VIEW:
        return "endOfMibView"
    return node.value.hex()


@dataclass(frozen=True)
class Message:
    """A decoded v1/v2c/v3 response."""

    version: int
    pdu_type: int
    request_id: int
    error_status: int
    varbinds: tuple[tuple[str, int, str], ...]
    """(OID, value tag, value as text)."""
    community: str | None = None
    engine_id: bytes | None = None
    engine_boots: int | None = None
    engine_time: int | None = None

    @property
    def pdu_name(self) -> str:
        """``Response``, ``Report``, ..."""
        return PDU_NAMES.get(self.pdu_type, f"PDU 0x{self.pdu_type:02x}")

    def value(self, wanted: str) -> str | None:
        """The value bound to ``wanted``, if present and not an exception."""
        for name, tag, value in self.varbinds:
            if name == wanted and tag not in (NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW):
                return value
        return None


def _pdu(node: Node) -> tuple[int, int, int, tuple[tuple[str, int, str], ...]]:
    if node.tag not in PDU_NAMES or len(node.children) != 4:
        raise WireError("SNMP: malformed PDU")
    request_id = to_int(node.children[0])
    error_status = to_int(node.children[1])
    bindings = []
    for vb in node.children[3].children[:64]:
        if vb.tag != SEQUENCE or len(vb.children) != 2:
            raise WireError("SNMP: malformed variable binding")
        bindings.append((to_oid(vb.children[0]), vb.children[1].tag, _value(vb.children[1])))
    return node.tag, request_id, error_status, tuple(bindings)


def parse(data: bytes) -> Message:
    """Parse an SNMP message (v1, v2c, or v3 without privacy)."""
    root = decode(data)
    if root.tag != SEQUENCE or len(root.children) < 3:
        raise WireError("SNMP: not an SNMP message")
    version = to_int(root.children[0])
    if version in (0, 1):
        community = root.children[1]
        if community.tag != OCTET_STRING:
            raise WireError("SNMP: community is not an OCTET STRING")
        pdu_type, request_id, error, bindings = _pdu(root.children[2])
        return Message(version, pdu_type, request_id, error, bindings, community=printable(community.value))
    if version == 3 and len(root.children) == 4:
        security = root.children[2]
        if security.tag != OCTET_STRING:
            raise WireError("SNMPv3: security parameters are not an OCTET STRING")
        usm = decode(security.value)
        if usm.tag != SEQUENCE or len(usm.children) != 6:
            raise WireError("SNMPv3: malformed USM security parameters")
        scoped = root.children[3]
        if scoped.tag != SEQUENCE or len(scoped.children) != 3:
            raise WireError("SNMPv3: encrypted or malformed scoped PDU")
        pdu_type, request_id, error, bindings = _pdu(scoped.children[2])
        return Message(
            version,
            pdu_type,
            request_id,
            error,
            bindings,
            engine_id=usm.children[0].value,
            engine_boots=to_int(usm.children[1]),
            engine_time=to_int(usm.children[2]),
        )
    raise WireError(f"SNMP: unsupported message version {version}")


def enterprise_of(engine_id: bytes) -> int | None:
    """The IANA enterprise number in an RFC 3411 engine ID, if it has the standard form."""
    if len(engine_id) < 5 or not engine_id[0] & 0x80:
        return None
    return int.from_bytes(engine_id[:4], "big") & 0x7FFFFFFF
