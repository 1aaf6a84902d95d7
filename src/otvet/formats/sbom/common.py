"""Helpers shared by the SBOM readers: permissive field access that records problems.

Every reader walks the raw document itself (ADR 0020) and uses these helpers so that a wrong
type in one field costs only that field: the problem is recorded with its location, and the
rest of the entry and the document are still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from otvet.model import Hash, LimitExceeded, Location, Problem, Severity
from otvet.safeio import Deadline, Limits

_SHA = re.compile(r"^SHA-?(1|224|256|384|512)$")
_SHA3 = re.compile(r"^SHA3[-_]?(224|256|384|512)$")
_BLAKE = re.compile(r"^BLAKE2B[-_]?(256|384|512)$")
_EMAIL = re.compile(r"[^\s()<>@,;:]+@[^\s()<>@,;:]+\.[^\s()<>@,;:]+")
_URL = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)

CHECK_EVERY = 1000
"""Entries between deadline checks."""


@lru_cache(maxsize=256)
def norm_algorithm(name: str) -> str:
    """Normalise a hash algorithm name: ``SHA256``/``sha-256``/``SHA_256`` → ``SHA-256``."""
    upper = name.strip().upper().replace("_", "-")
    if match := _SHA.match(upper):
        return f"SHA-{match.group(1)}"
    if match := _SHA3.match(upper):
        return f"SHA3-{match.group(1)}"
    if match := _BLAKE.match(upper):
        return f"BLAKE2b-{match.group(1)}"
    return upper


def make_hash(algorithm: str, value: str) -> Hash:
    """A :class:`Hash` with normalised algorithm and lower-case value."""
    return Hash(norm_algorithm(algorithm), value.strip().lower())


def contact_in(text: str) -> str | None:
    """The first e-mail address or URL in a free-text actor string, if any."""
    if match := _EMAIL.search(text):
        return match.group(0)
    if match := _URL.search(text):
        return match.group(0).rstrip(").,;")
    return None


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time (``Z`` accepted); naive times are taken as UTC."""
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values in first-seen order without repeats or blanks."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


class Reading:
    """Problems, limits and the time budget of reading one document."""

    def __init__(self, path: str, limits: Limits, source: str = "sbom") -> None:
        self.path = path
        self.limits = limits
        self.problems: list[Problem] = []
        self.source = source
        self.entries = 0
        self._deadline = Deadline(limits.max_seconds, f"reading the SBOM {path}")
        self.locate: Callable[[str], str] = _same
        """Turns a reader's JSON pointer into the location shown to users (XML path for XML)."""

    def problem(self, where: str | None, message: str, severity: Severity = Severity.ERROR) -> None:
        """Record a problem at a location of the document."""
        self.problems.append(
            Problem(
                path=self.path,
                where=self.locate(where) if where else None,
                message=message,
                severity=severity,
                source=self.source,
            )
        )

    def warn(self, where: str | None, message: str) -> None:
        """Record a doubtful but usable input."""
        self.problem(where, message, Severity.WARNING)

    def count(self, where: str) -> None:
        """Count one entry against the item limit; check the time budget now and then."""
        self.entries += 1
        if self.entries > self.limits.max_items:
            raise LimitExceeded(
                f"more than {self.limits.max_items} entries; refusing to read further",
                Location(self.path, where),
            )
        if self.entries % CHECK_EVERY == 0:
            self._deadline.check(Location(self.path, where))

    def text(self, value: Any, where: str, key: str | None = None, *, required: bool = False) -> str | None:
        """A string field at ``where`` (``/key`` appended when given, only if a problem is
        recorded: building pointers for every field would cost more than reading them).
        Numbers are accepted as text (a warning), other types are problems."""
        if value.__class__ is str:
            return value
        if key is not None:
            where = f"{where}/{key}"
        if value is None:
            if required:
                self.problem(where, "required value is missing")
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            self.problem(where, f"expected text, found {value!r}")
            return None
        if isinstance(value, int | float):
            self.warn(where, f"expected text, found the number {value!r} (read as text)")
            return str(value)
        self.problem(where, f"expected text, found {type_name(value)}")
        return None

    def items(self, value: Any, where: str, key: str | None = None) -> list[Any]:
        """A list field; a single object where a list belongs is a problem (and read as one item)."""
        if value is None:
            return []
        if value.__class__ is list:
            return value
        if key is not None:
            where = f"{where}/{key}"
        if isinstance(value, dict):
            self.problem(where, "expected a list, found an object (read as a one-item list)")
            return [value]
        self.problem(where, f"expected a list, found {type_name(value)}")
        return []

    def mapping(self, value: Any, where: str, key: str | None = None) -> dict[str, Any] | None:
        """An object field, or ``None`` with a problem."""
        if value is None:
            return None
        if value.__class__ is dict:
            return value
        if key is not None:
            where = f"{where}/{key}"
        self.problem(where, f"expected an object, found {type_name(value)}")
        return None


def _same(where: str) -> str:
    return where


def type_name(value: Any) -> str:
    """JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def pointer(base: str, *parts: str | int) -> str:
    """Extend a JSON pointer (RFC 6901 escaping of ``~`` and ``/``)."""
    out = base
    for part in parts:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


def items(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty list (hostile documents put anything anywhere)."""
    return value if isinstance(value, list) else []
