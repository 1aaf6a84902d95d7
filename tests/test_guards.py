"""The network guard itself: it must block non-loopback destinations and allow loopback."""

from __future__ import annotations

import socket
import threading

import pytest

from tests import guards


def test_blocks_outbound_tcp_even_when_caught() -> None:
    before = len(guards.violations)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(guards.NetworkGuardError):
        sock.connect(("192.0.2.10", 443))  # TEST-NET-1: never routable
    assert len(guards.violations) == before + 1
    # The test would now be failed by the autouse fixture; take the violation back.
    del guards.violations[before:]


def test_blocks_dns_resolution() -> None:
    before = len(guards.violations)
    with pytest.raises(guards.NetworkGuardError):
        socket.getaddrinfo("example.com", 443)
    del guards.violations[before:]


def test_blocks_udp_sendto() -> None:
    before = len(guards.violations)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(guards.NetworkGuardError):
        sock.sendto(b"x", ("198.51.100.7", 161))
    del guards.violations[before:]


def test_allows_loopback_round_trip() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            received.append(conn.recv(16))

    thread = threading.Thread(target=serve)
    thread.start()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"ping")
    thread.join(timeout=5)
    server.close()
    assert received == [b"ping"]
