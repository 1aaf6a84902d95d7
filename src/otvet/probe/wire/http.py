"""One HTTP/1.1 request and a bounded reading of the response head (RFC 9110, RFC 9112)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

MAX_HEAD = 16 * 1024
USER_AGENT = "otvet-probe"


def request(
    host: str, path: str = "/", *, authorization: str | None = None, port: int | None = None
) -> bytes:
    """A GET request that asks the server to close the connection afterwards."""
    authority = host if port in (None, 80) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        authority = f"[{host}]" if port in (None, 80) else f"[{host}]:{port}"
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {authority}",
        f"User-Agent: {USER_AGENT}",
        "Accept: */*",
        "Connection: close",
    ]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def head_complete(buffer: bytes) -> bool:
    """Whether the response head (status line and headers) has arrived, or is too long."""
    return b"\r\n\r\n" in buffer or b"\n\n" in buffer or len(buffer) >= MAX_HEAD


@dataclass(frozen=True)
class Response:
    """Status and headers of an HTTP response (header names lower-cased)."""

    version: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """First value of a header."""
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    def all(self, name: str) -> tuple[str, ...]:
        """Every value of a header."""
        return tuple(value for key, value in self.headers if key == name.lower())


_STATUS = re.compile(rb"^(HTTP/\d(?:\.\d)?) (\d{3})(?: ([^\r\n]*))?\r?$")


def parse(buffer: bytes) -> Response:
    """Parse the response head (and keep what followed as the start of the body)."""
    split = re.search(rb"\r?\n\r?\n", buffer[:MAX_HEAD])
    head = buffer[: split.start()] if split else buffer[:MAX_HEAD]
    body = buffer[split.end() :] if split else b""
    lines = head.split(b"\n")
    match = _STATUS.match(lines[0])
    if not match:
        raise WireError("not an HTTP response")
    headers = []
    for raw in lines[1:100]:
        line = raw.rstrip(b"\r")
        if not line or b":" not in line:
            continue
        key, _, value = line.partition(b":")
        headers.append((key.strip().decode("latin-1").lower(), value.strip().decode("latin-1")))
    return Response(
        version=match.group(1).decode("ascii"),
        status=int(match.group(2)),
        reason=(match.group(3) or b"").decode("latin-1"),
        headers=tuple(headers),
        body=body,
    )


_PASSWORD_INPUT = re.compile(rb"<input[^>]*type\s*=\s*[\"']?password", re.IGNORECASE)


def has_password_form(body: bytes) -> bool:
    """Whether an HTML body contains a password input (a login form)."""
    return bool(_PASSWORD_INPUT.search(body[: 256 * 1024]))


def auth_schemes(response: Response) -> tuple[str, ...]:
    """Authentication schemes a 401 response offers (``Basic``, ``Digest``, ...)."""
    return tuple(
        value.split(" ", 1)[0].strip().capitalize() for value in response.all("www-authenticate") if value
    )
