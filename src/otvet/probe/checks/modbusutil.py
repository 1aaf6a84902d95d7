"""One Modbus/TCP request and its response over a metered connection."""

from __future__ import annotations

import itertools

from otvet.probe.net import TcpConn
from otvet.probe.wire import modbus

_transactions = itertools.count(0x4F54)  # "OT": recognisable in captures


def next_transaction() -> int:
    """A transaction identifier for the next request."""
    return next(_transactions) & 0xFFFF


async def request(conn: TcpConn, frame: bytes, timeout: float) -> modbus.Response | None:
    """Send one request; the response, or None when none arrived in time."""
    await conn.send(frame)
    if not await conn.wait_for(modbus.complete, timeout):
        return None
    return modbus.parse(conn.take())
