"""Test guard: no test may open a network connection to anything but loopback.

otvet runs on air-gapped OT sites; the only network traffic it may cause is the lab probe
toward the target the user names, and our own servers' sockets. In tests, every target is a
simulator on a loopback address, so any other destination is a bug.

The guard wraps the socket methods that reach out (``connect``, ``connect_ex``, ``sendto``,
``sendmsg``) and name resolution. A violation raises :class:`NetworkGuardError` (a
``BaseException``, so code that catches ``OSError`` cannot swallow it) and is recorded, and the
autouse fixture in ``conftest.py`` fails the test even if the exception was swallowed.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

violations: list[str] = []

_original: dict[str, Any] = {}


class NetworkGuardError(BaseException):
    """A test tried to reach a non-loopback address."""


def _allowed_host(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host in ("localhost", "localhost.localdomain", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: Any, what: str) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX and friends stay on this machine
    host = address[0] if isinstance(address, tuple) and address else address
    if not _allowed_host(host):
        message = f"network guard: {what} to {address!r} blocked (tests may only reach loopback)"
        violations.append(message)
        raise NetworkGuardError(message)


def install() -> None:
    """Wrap the outbound socket operations (idempotent)."""
    if _original:
        return
    _original["connect"] = socket.socket.connect
    _original["connect_ex"] = socket.socket.connect_ex
    _original["sendto"] = socket.socket.sendto
    _original["sendmsg"] = socket.socket.sendmsg
    _original["getaddrinfo"] = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check(self, address, "connect")
        _original["connect"](self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self, address, "connect")
        result: int = _original["connect_ex"](self, address)
        return result

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check(self, args[-1], "sendto")
        result: int = _original["sendto"](self, data, *args)
        return result

    def sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
        if len(args) >= 3 and args[2] is not None:
            _check(self, args[2], "sendmsg")
        result: int = _original["sendmsg"](self, buffers, *args)
        return result

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _allowed_host(host):
            message = f"network guard: name resolution of {host!r} blocked (tests may only reach loopback)"
            violations.append(message)
            raise NetworkGuardError(message)
        return _original["getaddrinfo"](host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
    socket.socket.sendmsg = sendmsg  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
