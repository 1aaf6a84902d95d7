"""FTP control-connection replies (RFC 959 section 4.2), including multi-line replies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from otvet.probe.wire.errors import WireError

_LINE = re.compile(rb"^(\d{3})([ -])(.*)$")
MAX_REPLY = 8 * 1024


@dataclass(frozen=True)
class Reply:
    """One (possibly multi-line) reply."""

    code: int
    text: str
    size: int
    """Bytes the reply occupied in the buffer."""


def reply(buffer: bytes) -> Reply | None:
    """The first complete reply in ``buffer``, or None if it has not fully arrived."""
    offset = 0
    code: bytes | None = None
    texts: list[str] = []
    while True:
        end = buffer.find(b"\n", offset)
        if end < 0:
            if len(buffer) > MAX_REPLY:
                raise WireError("FTP reply too long")
            return None
        line = buffer[offset:end].rstrip(b"\r")
        match = _LINE.match(line)
        if code is None:
            if not match:
                raise WireError("not an FTP reply")
            code = match.group(1)
        texts.append(line.decode("latin-1")[4:] if match else line.decode("latin-1"))
        offset = end + 1
        if match and match.group(1) == code and match.group(2) == b" ":
            return Reply(int(code), "\n".join(texts)[:1024], offset)
        if len(texts) > 50:
            raise WireError("FTP multi-line reply too long")
