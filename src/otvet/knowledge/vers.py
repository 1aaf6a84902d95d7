"""``vers:`` version range specifiers (purl-spec VERS), as used by CycloneDX VEX ``affects``.

univers implements vers, but only for its registered schemes; VEX documents in the wild use
others (``vers:semver/...`` in the CycloneDX examples, ``vers:generic/...``, ``vers:all/...``
in CISA's CSAF files). We evaluate the constraint list ourselves with the scheme's version
order where we know it (via :mod:`otvet.knowledge.versions`) and the generic order otherwise.

# NOTE: VERS specification, "How to check if a version is contained within a range":
# equality constraints first; then, on the remaining constraints sorted by version, the
# first ``<``/``<=`` and the last ``>``/``>=`` are open intervals, and each ``>``/``>=``
# followed by a ``<``/``<=`` is a closed interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from otvet.knowledge.versions import Comparable, VersionScheme, scheme_for

_SCHEME_ECOSYSTEM = {
    "pypi": ("PyPI", "ECOSYSTEM"),
    "npm": ("npm", "ECOSYSTEM"),
    "golang": ("Go", "ECOSYSTEM"),
    "cargo": ("crates.io", "ECOSYSTEM"),
    "maven": ("Maven", "ECOSYSTEM"),
    "gem": ("RubyGems", "ECOSYSTEM"),
    "nuget": ("NuGet", "ECOSYSTEM"),
    "composer": ("Packagist", "ECOSYSTEM"),
    "deb": ("Debian", "ECOSYSTEM"),
    "apk": ("Alpine", "ECOSYSTEM"),
    "rpm": ("Red Hat", "ECOSYSTEM"),
    "semver": ("", "SEMVER"),
}
_CONSTRAINT = re.compile(r"^(>=|<=|!=|<|>|=)?(.+)$")


class VersError(ValueError):
    """Not a ``vers:`` range."""


@dataclass(frozen=True)
class VersRange:
    """A parsed ``vers:`` range."""

    scheme: str
    constraints: tuple[tuple[str, str], ...]
    """``(comparator, version)``; the comparator is ``=`` when none was written."""
    text: str

    def contains(self, version: str) -> bool:
        """Whether ``version`` lies in the range."""
        if self.constraints == (("*", "*"),):
            return True
        ecosystem, range_type = _SCHEME_ECOSYSTEM.get(self.scheme, ("", "ECOSYSTEM"))
        scheme = scheme_for(ecosystem, range_type)
        target = scheme.parse(version)
        rest: list[tuple[str, Comparable]] = []
        for comparator, value in self.constraints:
            bound = scheme.parse(value)
            if comparator == "=":
                if scheme.equal(target, bound):
                    return True
            elif comparator == "!=":
                if scheme.equal(target, bound):
                    return False
            else:
                rest.append((comparator, bound))
        if not rest:
            return False
        ordered = _sort(scheme, rest)
        first_op, first = ordered[0]
        if first_op in ("<", "<=") and _satisfies(scheme, target, first_op, first):
            return True
        last_op, last = ordered[-1]
        if last_op in (">", ">=") and _satisfies(scheme, target, last_op, last):
            return True
        for (op_a, a), (op_b, b) in pairwise(ordered):
            if (
                op_a in (">", ">=")
                and op_b in ("<", "<=")
                and _satisfies(scheme, target, op_a, a)
                and _satisfies(scheme, target, op_b, b)
            ):
                return True
        return False


def _sort(scheme: VersionScheme, items: list[tuple[str, Comparable]]) -> list[tuple[str, Comparable]]:
    ordered: list[tuple[str, Comparable]] = []
    for item in items:
        position = len(ordered)
        for index, existing in enumerate(ordered):
            if scheme.less(item[1], existing[1]):
                position = index
                break
        ordered.insert(position, item)
    return ordered


def _satisfies(scheme: VersionScheme, target: Comparable, op: str, bound: Comparable) -> bool:
    if op == "<":
        return scheme.less(target, bound)
    if op == "<=":
        return scheme.less(target, bound) or scheme.equal(target, bound)
    if op == ">":
        return scheme.less(bound, target)
    return scheme.less(bound, target) or scheme.equal(target, bound)


def parse_vers(text: str) -> VersRange:
    """Parse ``vers:<scheme>/<constraint>|<constraint>...``; raises :class:`VersError`."""
    raw = text.strip()
    if not raw.lower().startswith("vers:") or "/" not in raw:
        raise VersError(f"not a vers range: {raw!r}")
    scheme, _, body = raw[5:].partition("/")
    scheme = scheme.strip().lower()
    if not scheme or not body.strip():
        raise VersError(f"vers range without scheme or constraints: {raw!r}")
    if body.strip() == "*":
        return VersRange(scheme, (("*", "*"),), raw)
    constraints: list[tuple[str, str]] = []
    for part in body.split("|"):
        piece = part.strip().replace(" ", "")
        match = _CONSTRAINT.match(piece)
        if not piece or not match:
            raise VersError(f"empty constraint in {raw!r}")
        constraints.append((match.group(1) or "=", match.group(2)))
    return VersRange(scheme, tuple(constraints), raw)
