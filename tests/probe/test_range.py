"""The test equipment itself: the range must catch what a careless probe would do."""

from __future__ import annotations

import asyncio
import socket
import struct
import time

from asyncua import Client, ua

from tests.probe.conftest import Lab
from tests.probe.range.device import EchoDevice
from tests.probe.range.fragile import FragileDevice
from tests.probe.range.opcuadev import OpcuaDevice
from tests.probe.test_fragile import _ready


def _reset_close(sock: socket.socket) -> None:
    """Close abortively (RST), as scanners that never finish their connections do."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_the_ledger_tells_resets_and_open_connections_from_clean_closes(lab: Lab) -> None:
    echo = lab.device(EchoDevice, "echo")
    port = echo.ports["tcp"][0]
    mark = echo.mark()
    clean = socket.create_connection((echo.address, port))
    clean.close()
    _reset_close(socket.create_connection((echo.address, port)))
    dangling = socket.create_connection((echo.address, port))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            len(echo.ledger.conns(mark)) < 3 or sum(1 for c in echo.ledger.conns(mark) if c.end) < 2
        ):
            time.sleep(0.05)
        ends = sorted(str(c.end) for c in echo.ledger.conns(mark))
        assert ends == ["None", "eof", "reset"]
        assert len(echo.ledger.half_open(mark)) == 2
    finally:
        dangling.close()


def test_the_fragile_device_never_frees_reset_sessions(lab: Lab) -> None:
    fragile = _ready(lab.device(FragileDevice, "fragile"))
    port = fragile.ports["modbus"][0]
    mark = fragile.mark()
    for _ in range(2):
        _reset_close(socket.create_connection((fragile.address, port)))
        time.sleep(0.6)  # slowly, so the burst rule does not fire
    time.sleep(0.3)
    with socket.create_connection((fragile.address, port), timeout=2) as third:
        third.settimeout(2)
        assert third.recv(10) == b""  # closed at once: no session slot left
    assert fragile.leaked and len(fragile.ledger.of("session-refused", mark)) == 1
    fragile.reset()


def test_the_fragile_device_crashes_on_malformed_input(lab: Lab) -> None:
    fragile = _ready(lab.device(FragileDevice, "quick", down_s=0.3))
    port = fragile.ports["modbus"][0]
    with socket.create_connection((fragile.address, port), timeout=2) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")  # what a version scanner sends to a Modbus port
    deadline = time.monotonic() + 5
    while not fragile.crashes and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fragile.crashes == ["malformed Modbus frame"]
    _ready(fragile)


def test_the_opcua_simulator_logs_writes_and_sessions(lab: Lab) -> None:
    device = lab.device(OpcuaDevice, "bad")
    port = device.ports["opcua"][0]
    mark = device.mark()

    async def write() -> None:
        client = Client(f"opc.tcp://{device.address}:{port}")
        async with client:
            node = client.get_node(ua.NodeId(2, 2))
            await node.write_value(ua.Variant(43.0, ua.VariantType.Double))

    asyncio.run(write())
    assert [e["node"] for e in device.ledger.of("write", mark)] == ["ns=2;i=2"]
    assert device.ledger.of("auth", mark)[0]["user"] == "(anonymous)"
