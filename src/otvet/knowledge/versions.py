"""Version semantics per ecosystem: univers, wrapped, with an explicit and recorded fallback.

OSV compares versions with each ecosystem's own rules (PEP 440 for PyPI, SemVer for Go and
npm, dpkg for Debian, ...). univers implements those rules, but it rejects some versions
found in real records and SBOMs (``2.0.0.post1+local`` in some schemes, Go pseudo-versions
with odd suffixes, distribution versions with epochs in the wrong place). When it does, we do
not guess silently: the version is compared with the generic segment order below, and the
caller records that on the match (``note``), so an operator sees which verdicts rest on it.

The generic order (also used for NVD CPE versions, which carry no scheme) splits a version
into runs of digits and letters: numbers compare numerically, letters lexically, a release
sorts after its pre-releases (``alpha``, ``beta``, ``rc``, ``dev``, ``pre``, ``preview``) and
before letter suffixes that mark later releases (OpenSSL ``1.1.1k`` > ``1.1.1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from univers import versions as uv

_SCHEME_BY_ECOSYSTEM: dict[str, type[uv.Version]] = {
    "pypi": uv.PypiVersion,
    "go": uv.GolangVersion,
    "npm": uv.SemverVersion,
    "crates.io": uv.SemverVersion,
    "hex": uv.SemverVersion,
    "pub": uv.SemverVersion,
    "swifturl": uv.SemverVersion,
    "maven": uv.MavenVersion,
    "rubygems": uv.RubygemsVersion,
    "nuget": uv.NugetVersion,
    "packagist": uv.ComposerVersion,
    "debian": uv.DebianVersion,
    "ubuntu": uv.DebianVersion,
    "alpine": uv.AlpineLinuxVersion,
    "wolfi": uv.AlpineLinuxVersion,
    "chainguard": uv.AlpineLinuxVersion,
    "red hat": uv.RpmVersion,
    "almalinux": uv.RpmVersion,
    "rocky linux": uv.RpmVersion,
    "opensuse": uv.RpmVersion,
    "suse": uv.RpmVersion,
    "mageia": uv.RpmVersion,
    "openeuler": uv.RpmVersion,
}
"""OSV ecosystem (lower-case, without the ``:release`` suffix) -> univers version class."""


def ecosystem_family(ecosystem: str) -> str:
    """``Debian:11`` -> ``debian``; ``PyPI`` -> ``pypi``."""
    return ecosystem.split(":", 1)[0].strip().lower()


def scheme_name(ecosystem: str, range_type: str = "ECOSYSTEM") -> str:
    """Name of the comparison used for an ecosystem and OSV range type (for notes)."""
    if range_type == "SEMVER":
        return "SemVer"
    cls = _SCHEME_BY_ECOSYSTEM.get(ecosystem_family(ecosystem))
    return cls.__name__ if cls else "generic"


_PRE_RELEASE = {"dev": -4, "alpha": -3, "beta": -2, "pre": -1, "preview": -1, "rc": -1}
# NOTE: single letters are not pre-release markers here: OpenSSL (1.0.2a) and many embedded
# projects use letter suffixes for later releases, and NVD CPE versions carry no scheme.
_TOKEN = re.compile(r"\d+|[a-zA-Z]+")


@lru_cache(maxsize=200_000)
def generic_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key for the generic segment order (see the module docstring).

    Each token becomes ``(rank, number, text)``: pre-release words rank below everything,
    numbers rank 1, other words rank 2 (after numbers, so ``1.1.1k`` > ``1.1.1`` when compared
    segment by segment and the release itself ends with a padding rank 0).
    """
    text = version.strip().lower()
    text = text.removeprefix("v") if text[:2].startswith("v") and text[1:2].isdigit() else text
    key: list[tuple[int, int, str]] = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            key.append((1, int(token), ""))
        elif token in _PRE_RELEASE:
            key.append((-1, _PRE_RELEASE[token], ""))
        else:
            key.append((2, 0, token))
    # Zero segments before a pre-release word or the end do not make a version newer:
    # 1.0 == 1.0.0, and 1.0.0rc1 compares as 1rc1 against 1 (so the pre-release sorts first).
    # Before a letter suffix they stay: 1.0.0a (OpenSSL) lies between 1.0.0 and 1.0.1.
    trimmed: list[tuple[int, int, str]] = []
    for token in key:
        if token[0] == -1:
            while trimmed and trimmed[-1] == (1, 0, "") and len(trimmed) > 1:
                trimmed.pop()
        trimmed.append(token)
    while len(trimmed) > 1 and trimmed[-1] == (1, 0, ""):
        trimmed.pop()
    key = trimmed
    # A release sorts after its pre-releases and before any letter/number suffix.
    key.append((0, 0, ""))
    return tuple(key)


@dataclass(frozen=True)
class Comparable:
    """A version ready for comparison, and how it is compared."""

    text: str
    key: Any
    scheme: str
    """``PypiVersion``, ``SemVer``, ..., or ``generic`` for the fallback."""
    fallback: str | None = None
    """Why the fallback was used (univers rejected the version), else None."""


class VersionScheme:
    """Parses versions of one ecosystem and range type; caches results."""

    def __init__(self, ecosystem: str, range_type: str = "ECOSYSTEM") -> None:
        self.ecosystem = ecosystem
        self.range_type = range_type
        family = ecosystem_family(ecosystem)
        if range_type == "SEMVER":
            self._cls: type[uv.Version] | None = uv.SemverVersion
        else:
            self._cls = _SCHEME_BY_ECOSYSTEM.get(family)
        self.name = self._cls.__name__ if self._cls else "generic"
        # univers versions compare through attrs-generated methods on their ``value``; where a
        # class keeps those (no override), comparing the values directly is the same order and
        # many times faster (matching 50,000 components evaluates millions of comparisons).
        self._by_value = self._cls is not None and (
            self._cls.__lt__ is uv.Version.__lt__ and self._cls.__eq__ is uv.Version.__eq__
        )
        self._cache: dict[str, Comparable] = {}
        self._listed: dict[str, dict[Any, str]] = {}

    def parse(self, text: str) -> Comparable:
        """A comparable version; never raises (falls back to the generic order, recorded)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        value = self._parse(text)
        if len(self._cache) < 100_000:
            self._cache[text] = value
        return value

    def _parse(self, text: str) -> Comparable:
        if self._cls is None:
            return Comparable(text, generic_key(text), "generic")
        candidate = text
        if self._cls in (uv.SemverVersion, uv.GolangVersion) and candidate[:1] in ("v", "V"):
            candidate = candidate[1:]
        try:
            parsed = self._cls(candidate)
            # univers builds some versions lazily: force a comparison to surface errors now.
            _ = parsed < self._cls(candidate)
        except Exception as exc:  # noqa: BLE001  # univers raises many types for bad versions
            reason = f"univers {self.name} rejected {text!r} ({type(exc).__name__}); compared in the generic segment order"
            return Comparable(text, generic_key(text), "generic", fallback=reason)
        return Comparable(text, parsed.value if self._by_value else parsed, self.name)

    def listed(self, cache_key: str, versions: list[str]) -> dict[Any, str]:
        """The explicitly listed versions of a record by their parsed key (cached per list).

        Lets "is this version listed?" honour the scheme's equality (PEP 440: ``1.0`` is
        ``1.0.0``) with one lookup instead of one comparison per listed version.
        """
        found = self._listed.get(cache_key)
        if found is None:
            found = {}
            for text in versions:
                parsed = self.parse(text)
                if parsed.fallback:
                    continue
                try:
                    found.setdefault(parsed.key, text)
                except TypeError:  # an unhashable key: such lists use string equality only
                    return {}
            if len(self._listed) > 50_000:
                self._listed.clear()
            self._listed[cache_key] = found
        return found

    def equal(self, a: Comparable, b: Comparable) -> bool:
        """Equality in the scheme (falls back to the generic order when schemes differ)."""
        if a.scheme != b.scheme:
            return generic_key(a.text) == generic_key(b.text)
        try:
            return bool(a.key == b.key)
        except Exception:  # noqa: BLE001
            return generic_key(a.text) == generic_key(b.text)

    def less(self, a: Comparable, b: Comparable) -> bool:
        """``a < b`` in the scheme (falls back to the generic order when schemes differ)."""
        if a.scheme != b.scheme:
            return generic_key(a.text) < generic_key(b.text)
        try:
            return bool(a.key < b.key)
        except Exception:  # noqa: BLE001
            return generic_key(a.text) < generic_key(b.text)


@lru_cache(maxsize=256)
def scheme_for(ecosystem: str, range_type: str = "ECOSYSTEM") -> VersionScheme:
    """A shared :class:`VersionScheme` per (ecosystem, range type)."""
    return VersionScheme(ecosystem, range_type)


@dataclass(frozen=True)
class RangeVerdict:
    """Whether a version lies in an OSV range, and caveats."""

    affected: bool
    text: str
    """The range as text, for the report."""
    note: str | None = None


def osv_range_contains(
    version: str, range_type: str, events: list[dict[str, str]], ecosystem: str
) -> RangeVerdict:
    """Evaluate an OSV ``SEMVER``/``ECOSYSTEM`` range per the OSV schema's algorithm.

    # NOTE: OSV schema 1.6 "Evaluation": sort the events by version ("0" first); walk them;
    # ``introduced`` <= v makes v vulnerable, ``fixed`` <= v or ``last_affected`` < v makes it
    # not vulnerable; ``limit`` bounds the range (v >= limit is never affected).
    """
    scheme = scheme_for(ecosystem, range_type)
    target = scheme.parse(version)
    notes: set[str] = {target.fallback} if target.fallback else set()
    parsed: list[tuple[str, Comparable | None]] = []
    for event in events:
        for kind, value in event.items():
            if kind not in ("introduced", "fixed", "last_affected", "limit"):
                continue
            if kind == "introduced" and value == "0":
                parsed.append((kind, None))
                continue
            comparable = scheme.parse(value)
            if comparable.fallback:
                notes.add(comparable.fallback)
            parsed.append((kind, comparable))

    # Sort with the scheme's comparison ("0" first). Producers almost always write events in
    # order, so check that first; otherwise a stable insertion sort (events are few).
    in_order = True
    for a, b in pairwise(parsed):
        if _before(scheme, b[1], a[1]):
            in_order = False
            break
    if in_order:
        ordered = parsed
    else:
        ordered = []
        for item in parsed:
            position = len(ordered)
            for index, existing in enumerate(ordered):
                if _before(scheme, item[1], existing[1]):
                    position = index
                    break
            ordered.insert(position, item)
    vulnerable = False
    for kind, bound in ordered:
        if bound is not None and scheme.less(target, bound):
            break  # sorted: no later event can apply to a version below this bound
        # From here on, target >= bound (or the bound is "0").
        if kind == "limit":
            vulnerable = False
            break
        if kind == "introduced":
            vulnerable = True
        elif kind == "fixed" or (
            kind == "last_affected" and bound is not None and scheme.less(bound, target)
        ):
            vulnerable = False
    if not vulnerable:
        return RangeVerdict(False, "")  # the text is only needed for a match
    text = ", ".join(f"{k} {v}" for event in events for k, v in event.items())
    return RangeVerdict(True, f"{range_type} {text}", "; ".join(sorted(notes)) or None)


def _before(scheme: VersionScheme, a: Comparable | None, b: Comparable | None) -> bool:
    if a is None:
        return b is not None
    if b is None:
        return False
    return scheme.less(a, b)


def compare_generic(a: str, b: str) -> int:
    """-1, 0 or 1 in the generic segment order."""
    ka, kb = generic_key(a), generic_key(b)
    return (ka > kb) - (ka < kb)
