"""A device is hostile input too: every probe parser takes any bytes and fails only with WireError."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otvet.probe.wire import WireError, ftp, http, modbus, opcua, snmp, ssh, tftp, tls

PARSERS: list[tuple[str, Callable[[bytes], Any]]] = [
    ("modbus", modbus.parse),
    ("modbus-id", lambda b: modbus.device_identification(modbus.Response(1, 1, 0x2B, b))),
    ("modbus-registers", lambda b: modbus.registers(modbus.Response(1, 1, 3, b))),
    ("snmp", snmp.parse),
    ("tls", tls.scan),
    ("ssh-id", ssh.identification),
    ("ssh-kexinit", ssh.kexinit),
    ("http", http.parse),
    ("ftp", ftp.reply),
    ("tftp", tftp.parse),
    ("opcua", opcua.acknowledge),
]


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=[p[0] for p in PARSERS])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_parsers_fail_only_with_wire_error(name: str, parser: Callable[[bytes], Any], data: bytes) -> None:
    with contextlib.suppress(WireError):
        parser(data)


@pytest.mark.parametrize(
    "data",
    [
        bytes([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),  # BER length far past the datagram
        bytes([0x30, 0x80]) + b"\x00" * 4,  # indefinite length
        b"\x30\x02" * 40,  # nesting
    ],
)
def test_ber_bombs_are_refused(data: bytes) -> None:
    with pytest.raises(WireError):
        snmp.parse(data)


def test_tls_scan_is_bounded() -> None:
    # A server that streams handshake records forever is read up to the flight limit only.
    record = bytes([22, 3, 3, 0x40, 0x00]) + b"\x0b" + b"\x00" * 0x3FFF
    flight = tls.scan_safely(record * 10)
    assert flight.complete or not flight.tls or flight.version is None
