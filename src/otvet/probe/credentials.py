"""Default credentials to try: a user CSV or the small list otvet ships, matched to the vendor.

Two CSV forms are read:

- otvet's own (``data/default-credentials.csv``): ``vendor,product,service,username,password,source``
  with ``#`` comment lines; ``*`` as vendor means "any vendor", ``any`` as service means
  every service the probe tries;
- the three-column form of public cheat sheets: ``productvendor,username,password``, where
  ``<blank>`` is an empty value and a service hint may follow the vendor in parentheses
  (``Moxa (telnet)``).

Selection never sweeps: per service, rows for the target's vendor come first, then generic
rows, and at most ``max_tries`` (never more than 3) are tried. Passwords never leave this
module except to the check that sends them, which registers them for redaction first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from otvet.model.errors import FormatError, Location
from otvet.safeio import DEFAULT_LIMITS, Limits, decode_text, read_bytes

MAX_TRIES = 3
"""The hard cap of credentials tried per service (issue: at most 3)."""
MAX_ROWS = 100_000
SERVICES = ("http", "telnet", "ftp", "ssh")
SHIPPED = "default-credentials.csv"


@dataclass(frozen=True)
class Credential:
    """One username/password pair from a list."""

    username: str
    password: str = field(repr=False)
    vendor: str
    service: str
    """``http``, ``telnet``, ``ftp``, ``ssh`` or ``any``."""
    source: str
    """The list (file name) and line the pair came from."""
    reference: str = ""
    """Where the pair is publicly documented (shipped list only)."""

    @property
    def shown(self) -> str:
        """How the pair appears in evidence: the username and where it came from, never the password."""
        user = self.username or "(empty user name)"
        return f"{user} / <redacted> ({self.source})"


@dataclass(frozen=True)
class CredentialList:
    """A loaded list."""

    name: str
    """``otvet shipped list`` or the file name."""
    sha256: str
    rows: tuple[Credential, ...]

    def select(self, service: str, vendor: str | None, max_tries: int = MAX_TRIES) -> tuple[Credential, ...]:
        """At most ``max_tries`` (<= 3) pairs for ``service``: vendor matches first, then generic."""
        limit = max(0, min(max_tries, MAX_TRIES))
        wanted = [c for c in self.rows if c.service in (service, "any")]
        specific = [c for c in wanted if vendor and _vendor_matches(c.vendor, vendor)]
        generic = [c for c in wanted if c.vendor in ("*", "", "any", "generic")]
        chosen: list[Credential] = []
        seen: set[tuple[str, str]] = set()
        for cred in (*specific, *generic):
            if len(chosen) >= limit:
                break
            key = (cred.username, cred.password)
            if key in seen:
                continue
            seen.add(key)
            chosen.append(cred)
        return tuple(chosen)


_WORD = re.compile(r"[a-z0-9]+")
_NOISE = {
    "inc",
    "ltd",
    "gmbh",
    "ag",
    "co",
    "corp",
    "corporation",
    "company",
    "the",
    "electric",
    "automation",
    "controls",
}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _NOISE and len(w) > 1}


def _vendor_matches(row_vendor: str, target_vendor: str) -> bool:
    if row_vendor in ("*", "", "any", "generic"):
        return False
    row = _words(row_vendor)
    return bool(row) and bool(row & _words(target_vendor))


_HINTS = {"web": "http", "http": "http", "https": "http", "telnet": "telnet", "ftp": "ftp", "ssh": "ssh"}


def _hint(vendor: str) -> tuple[str, str]:
    """Split ``Moxa (telnet)`` into (``Moxa``, ``telnet``); no hint gives ``any``."""
    services = [
        _HINTS[h.casefold()] for h in re.findall(r"\(([A-Za-z]+)\)", vendor) if h.casefold() in _HINTS
    ]
    base = re.sub(r"\s*\([^)]*\)", "", vendor).strip()
    return base or vendor, services[0] if services else "any"


def _blank(value: str) -> str:
    return "" if value.strip().casefold() == "<blank>" else value


def parse(text: str, name: str) -> CredentialList:
    """Read either CSV form; a malformed line is a :class:`FormatError` naming it."""
    # Comment lines become empty lines, so row numbers stay the file's line numbers.
    lines = ["" if ln.lstrip().startswith("#") else ln for ln in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    rows: list[Credential] = []
    header: list[str] | None = None
    for row in reader:
        number = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = [h.strip().casefold() for h in row]
            if header not in (
                ["vendor", "product", "service", "username", "password", "source"],
                ["productvendor", "username", "password"],
            ):
                raise FormatError(
                    "expected the columns vendor,product,service,username,password,source "
                    "or productvendor,username,password",
                    Location(name, "header"),
                )
            continue
        if len(row) != len(header):
            raise FormatError(
                f"expected {len(header)} columns, got {len(row)}", Location(name, f"row {number}")
            )
        if len(rows) >= MAX_ROWS:
            raise FormatError(f"more than {MAX_ROWS} rows", Location(name))
        if len(header) == 6:
            vendor, product, service, user, password, reference = (c.strip() for c in row)
            service = service.casefold() or "any"
            if service not in (*SERVICES, "any"):
                raise FormatError(f"unknown service {service!r}", Location(name, f"row {number}"))
            label = f"{vendor} {product}".strip()
        else:
            label, user, password = row[0].strip(), _blank(row[1].strip()), _blank(row[2].strip())
            vendor, service = _hint(label)
            reference = ""
        rows.append(
            Credential(
                username=user,
                password=password,
                vendor=vendor or "*",
                service=service,
                source=f"{Path(name).name} line {number}",
                reference=reference or label,
            )
        )
    if header is None:
        raise FormatError("empty credentials list", Location(name))
    return CredentialList(
        name=name, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), rows=tuple(rows)
    )


def load(path: Path | None, *, limits: Limits = DEFAULT_LIMITS) -> CredentialList:
    """The user's list at ``path`` (read through safeio), or the shipped list."""
    if path is None:
        text = resources.files("otvet.probe").joinpath("data", SHIPPED).read_text(encoding="utf-8")
        return parse(text, SHIPPED)
    shown = str(path)
    data = read_bytes(path, display=shown, limits=limits)
    return parse(decode_text(data, shown), shown)
