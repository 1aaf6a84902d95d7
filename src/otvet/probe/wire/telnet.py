"""Telnet: recognise option negotiation (RFC 854/855) and strip it from a banner."""

from __future__ import annotations

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
OPTION_NAMES = {
    0: "binary",
    1: "echo",
    3: "suppress-go-ahead",
    24: "terminal-type",
    31: "window-size",
    32: "terminal-speed",
    33: "remote-flow-control",
    34: "linemode",
    39: "new-environ",
}


def split(data: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    """Text without negotiation, and the (command, option) pairs that were negotiated."""
    text = bytearray()
    options: list[tuple[int, int]] = []
    i = 0
    while i < len(data):
        byte = data[i]
        if byte != IAC:
            text.append(byte)
            i += 1
            continue
        if i + 1 >= len(data):
            break
        command = data[i + 1]
        if command in (DO, DONT, WILL, WONT) and i + 2 < len(data):
            options.append((command, data[i + 2]))
            i += 3
        elif command == SB:
            end = data.find(bytes([IAC, SE]), i + 2)
            i = len(data) if end < 0 else end + 2
        elif command == IAC:
            text.append(IAC)
            i += 2
        else:
            i += 2
    return bytes(text), options


def refuse_all(options: list[tuple[int, int]]) -> bytes:
    """Answers that decline every option the server asked for (DO -> WONT, WILL -> DONT)."""
    out = bytearray()
    for command, option in options:
        if command == DO:
            out += bytes([IAC, WONT, option])
        elif command == WILL:
            out += bytes([IAC, DONT, option])
    return bytes(out)


def printable(text: bytes, limit: int = 1024) -> str:
    """A banner as readable ASCII."""
    return text[:limit].decode("latin-1").encode("ascii", "backslashreplace").decode("ascii").strip()
