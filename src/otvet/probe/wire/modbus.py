"""Modbus/TCP (MBAP) requests and responses.

References: MODBUS Application Protocol Specification V1.1b3 (function codes 3, 6 and
43/14), MODBUS Messaging on TCP/IP Implementation Guide V1.0b (MBAP header).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

MBAP_HEADER = 7
MAX_ADU = 260
"""Largest Modbus/TCP frame (MBAP header + PDU of at most 253 bytes)."""

EXCEPTIONS = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    5: "acknowledge",
    6: "server device busy",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
}

DEVICE_ID_OBJECTS = {
    0: "VendorName",
    1: "ProductCode",
    2: "MajorMinorRevision",
    3: "VendorUrl",
    4: "ProductName",
    5: "ModelName",
    6: "UserApplicationName",
}


def _frame(transaction: int, unit: int, pdu: bytes) -> bytes:
    return struct.pack(">HHHB", transaction & 0xFFFF, 0, len(pdu) + 1, unit & 0xFF) + pdu


def read_holding(transaction: int, unit: int, address: int, count: int = 1) -> bytes:
    """Function 3: read ``count`` holding registers from ``address`` (0-based)."""
    return _frame(transaction, unit, struct.pack(">BHH", 3, address, count))


def write_single(transaction: int, unit: int, address: int, value: int) -> bytes:
    """Function 6: write one holding register."""
    return _frame(transaction, unit, struct.pack(">BHH", 6, address, value & 0xFFFF))


def read_device_identification(transaction: int, unit: int) -> bytes:
    """Function 43 / MEI 14: read device identification, basic stream (code 1) from object 0."""
    return _frame(transaction, unit, bytes([0x2B, 0x0E, 0x01, 0x00]))


def complete(buffer: bytes) -> bool:
    """Whether ``buffer`` holds at least one whole MBAP frame (or a malformed header)."""
    if len(buffer) < MBAP_HEADER:
        return False
    length = int.from_bytes(buffer[4:6], "big")
    return length < 2 or length > MAX_ADU or len(buffer) >= 6 + length


@dataclass(frozen=True)
class Response:
    """One Modbus/TCP response."""

    transaction: int
    unit: int
    function: int
    payload: bytes
    exception: int | None = None

    @property
    def exception_text(self) -> str | None:
        """Name of the exception code, if the device answered with an exception."""
        if self.exception is None:
            return None
        return EXCEPTIONS.get(self.exception, f"exception code {self.exception}")


def parse(buffer: bytes) -> Response:
    """Parse the first frame of ``buffer``."""
    if len(buffer) < MBAP_HEADER + 1:
        raise WireError(f"Modbus/TCP response too short ({len(buffer)} bytes)")
    transaction, protocol, length, unit = struct.unpack(">HHHB", buffer[:7])
    if protocol != 0:
        raise WireError(f"not Modbus/TCP: protocol identifier {protocol}")
    if length < 2 or length > MAX_ADU - 6:
        raise WireError(f"Modbus/TCP length field {length} out of range")
    if len(buffer) < 6 + length:
        raise WireError("Modbus/TCP response truncated")
    pdu = buffer[7 : 6 + length]
    function = pdu[0]
    if function & 0x80:
        if len(pdu) < 2:
            raise WireError("Modbus exception response without a code")
        return Response(transaction, unit, function & 0x7F, pdu[1:], exception=pdu[1])
    return Response(transaction, unit, function, pdu[1:])


def registers(response: Response) -> list[int]:
    """Register values of a function 3 response."""
    if response.function != 3 or not response.payload:
        raise WireError("not a read-holding-registers response")
    count = response.payload[0]
    data = response.payload[1 : 1 + count]
    if len(data) != count or count % 2:
        raise WireError("register byte count does not match the data")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, count, 2)]


def device_identification(response: Response) -> dict[str, str]:
    """Objects of a function 43/14 response (object name -> printable text)."""
    p = response.payload
    if response.function != 0x2B or len(p) < 6 or p[0] != 0x0E:
        raise WireError("not a read-device-identification response")
    count = p[5]
    offset = 6
    objects: dict[str, str] = {}
    for _ in range(count):
        if offset + 2 > len(p):
            raise WireError("device identification object header truncated")
        object_id, size = p[offset], p[offset + 1]
        value = p[offset + 2 : offset + 2 + size]
        if len(value) != size:
            raise WireError("device identification object truncated")
        name = DEVICE_ID_OBJECTS.get(object_id, f"object 0x{object_id:02x}")
        objects[name] = value.decode("latin-1").encode("ascii", "backslashreplace").decode("ascii")
        offset += 2 + size
    return objects
