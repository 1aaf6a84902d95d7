"""Protocol steps several checks share: FTP replies and one login attempt per protocol.

Each login helper makes exactly one attempt on one connection and reports what the device
said, without judging it; the checks decide. Passwords are registered for redaction before
they are sent, so they never appear in the recorded traffic.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass

from otvet.probe.interface import CheckContext
from otvet.probe.net import TcpConn
from otvet.probe.wire import WireError, ftp, http, telnet

LOCKED = re.compile(rb"lock|too many|temporar|try again later|blocked", re.IGNORECASE)


@dataclass(frozen=True)
class Attempt:
    """What one login attempt showed."""

    accepted: bool | None
    """True (logged in), False (refused), None (no clear answer)."""
    detail: str
    locked: bool = False
    """The device said the account or client is (temporarily) blocked."""
    seconds: float = 0.0


async def ftp_next(conn: TcpConn, timeout: float) -> ftp.Reply | None:
    """The next complete FTP reply, or None (timeout, close, or not FTP)."""

    def parsed(buffer: bytes) -> ftp.Reply | None:
        try:
            return ftp.reply(buffer)
        except WireError:
            return None

    await conn.wait_for(lambda b: parsed(b) is not None, timeout)
    reply = parsed(conn.pending)
    if reply is not None:
        conn.take(reply.size)
    return reply


async def _open(ctx: CheckContext, port: int) -> TcpConn | str:
    try:
        return await ctx.connect(port)
    except ConnectionRefusedError:
        return "connection refused"
    except TimeoutError:
        return "no answer to the connection attempt"


async def http_basic(ctx: CheckContext, port: int, username: str, password: str, path: str = "/") -> Attempt:
    """One GET with HTTP Basic credentials (RFC 7617)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    ctx.redact(token.encode("ascii"))
    if password:
        ctx.redact(password.encode())
    conn = await _open(ctx, port)
    if isinstance(conn, str):
        return Attempt(None, conn)
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        await conn.send(http.request(ctx.target.host, path, authorization=f"Basic {token}", port=port))
        await conn.wait_for(http.head_complete, ctx.timeout)
        data = conn.take()
    finally:
        await conn.close()
    seconds = loop.time() - start
    try:
        response = http.parse(data)
    except WireError:
        return Attempt(None, "no HTTP response", seconds=seconds)
    if response.status in (423, 429) or (response.status in (403, 503) and LOCKED.search(response.body)):
        return Attempt(False, f"HTTP {response.status}", locked=True, seconds=seconds)
    if 200 <= response.status < 400:
        return Attempt(True, f"HTTP {response.status}", seconds=seconds)
    return Attempt(False, f"HTTP {response.status}", seconds=seconds)


async def ftp_login(ctx: CheckContext, port: int, username: str, password: str) -> Attempt:
    """USER/PASS on one FTP connection (RFC 959 section 4.1.1)."""
    if password:
        ctx.redact(password.encode())
    conn = await _open(ctx, port)
    if isinstance(conn, str):
        return Attempt(None, conn)
    loop = asyncio.get_running_loop()
    try:
        greeting = await ftp_next(conn, ctx.timeout)
        if greeting is None:
            return Attempt(None, "no FTP greeting")
        if greeting.code == 421:
            return Attempt(False, f"{greeting.code} {greeting.text[:60]}", locked=True)
        start = loop.time()
        await conn.send(f"USER {username}\r\n".encode())
        reply = await ftp_next(conn, ctx.timeout)
        if reply is not None and reply.code == 331:
            await conn.send(f"PASS {password}\r\n".encode())
            reply = await ftp_next(conn, ctx.timeout)
        seconds = loop.time() - start
        if reply is not None and reply.code < 400:
            await conn.send(b"QUIT\r\n")
            await ftp_next(conn, ctx.timeout)
    finally:
        await conn.close()
    if reply is None:
        return Attempt(None, "no reply to the login", seconds=seconds)
    detail = f"{reply.code} {reply.text[:60]}"
    if reply.code == 230:
        return Attempt(True, detail, seconds=seconds)
    locked = reply.code == 421 or bool(LOCKED.search(reply.text.encode("latin-1", "replace")))
    return Attempt(False, detail, locked=locked, seconds=seconds)


_PROMPT_USER = re.compile(rb"(login|user(name)?)\s*:\s*$", re.IGNORECASE)
_PROMPT_PASS = re.compile(rb"pass(word)?\s*:\s*$", re.IGNORECASE)
_FAILED = re.compile(rb"incorrect|fail|denied|invalid|wrong|bad password", re.IGNORECASE)
_SHELL = re.compile(rb"([#$>%])\s*$")


async def _telnet_until(conn: TcpConn, pattern: re.Pattern[bytes], timeout: float) -> tuple[bytes, bool]:
    """Read (declining every option) until the text matches ``pattern`` or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    text = b""
    while loop.time() < deadline:
        data = await conn.read_some(max(0.05, deadline - loop.time()))
        if not data:
            break
        plain, options = telnet.split(data)
        answer = telnet.refuse_all(options)
        if answer:
            await conn.send(answer)
        text += plain
        if pattern.search(text.rstrip(b"\r\n ") + b" ") or pattern.search(text):
            return text, True
    return text, False


async def telnet_login(ctx: CheckContext, port: int, username: str, password: str) -> Attempt:
    """Answer the login and password prompts once (declining all Telnet options)."""
    if password:
        ctx.redact(password.encode())
    conn = await _open(ctx, port)
    if isinstance(conn, str):
        return Attempt(None, conn)
    loop = asyncio.get_running_loop()
    try:
        _, prompted = await _telnet_until(conn, _PROMPT_USER, ctx.timeout)
        if not prompted:
            return Attempt(None, "no login prompt")
        start = loop.time()
        await conn.send(username.encode() + b"\r\n")
        _, prompted = await _telnet_until(conn, _PROMPT_PASS, ctx.timeout)
        if not prompted:
            return Attempt(None, "no password prompt", seconds=loop.time() - start)
        await conn.send(password.encode() + b"\r\n")
        after, _ = await _telnet_until(
            conn, re.compile(rb"(login|user(name)?)\s*:\s*$|[#$>%]\s*$", re.I), ctx.timeout
        )
        seconds = loop.time() - start
    finally:
        await conn.close()
    last = after.strip().splitlines()[-1] if after.strip() else b""
    if LOCKED.search(after):
        return Attempt(False, "the device reports a lockout", locked=True, seconds=seconds)
    if _FAILED.search(after) or _PROMPT_USER.search(last):
        return Attempt(False, telnet.printable(last, 60) or "refused", seconds=seconds)
    if _SHELL.search(last):
        return Attempt(True, f"shell prompt '{telnet.printable(last, 40)}'", seconds=seconds)
    return Attempt(None, "no clear answer after the password", seconds=seconds)
