"""CPE 2.3 names: parsing the formatted string binding and matching per NISTIR 7696.

A component is matched against an NVD criterion only through the CPE the SBOM gives for it;
otvet never derives a CPE from a component name (that is how an npm package ``nx`` came to
"match" Siemens NX, anchore/grype#580).

Matching (NISTIR 7696, CPE Name Matching 2.3, sections 6.1-6.2): each of the eleven
attributes of the criterion (source) is compared with the component's CPE (target):

============  ===========  ==================================================
source        target       relation
============  ===========  ==================================================
ANY (``*``)   anything     SUPERSET (or EQUAL when the target is ANY too)
NA (``-``)    NA           EQUAL
NA            ANY / value  DISJOINT / SUBSET: no match
value         ANY          SUBSET: the target is less specific: no match
value         NA           DISJOINT
value         value        EQUAL when equal (case-insensitive; ``?``/``*``
                           wildcards in the source value match), else DISJOINT
============  ===========  ==================================================

The name matches when every attribute is SUPERSET or EQUAL. ``part``, ``vendor`` and
``product`` must be plain values and equal (we look criteria up by vendor and product, so a
product of another vendor can never match). When the criterion's version is ANY and it has
``versionStart*``/``versionEnd*`` bounds, the target's version must be a concrete value within
them (generic segment order, see :mod:`otvet.knowledge.versions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from otvet.knowledge.versions import compare_generic

ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
ANY = "*"
NA = "-"


class CpeError(ValueError):
    """Not a CPE 2.3 formatted string (or a CPE 2.2 URI)."""


@dataclass(frozen=True)
class Cpe:
    """A CPE 2.3 name; attribute values keep their escapes, ``*`` is ANY and ``-`` is NA."""

    part: str
    vendor: str
    product: str
    version: str = ANY
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    def values(self) -> tuple[str, ...]:
        """The eleven attribute values in order."""
        return tuple(getattr(self, name) for name in ATTRIBUTES)

    def __str__(self) -> str:
        return "cpe:2.3:" + ":".join(self.values())


def _split(text: str) -> list[str]:
    """Split on ``:`` not preceded by a backslash escape."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


_URI_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")


def parse_cpe(text: str) -> Cpe:
    """Parse a CPE 2.3 formatted string (``cpe:2.3:a:vendor:product:...``) or a 2.2 URI."""
    raw = text.strip()
    if raw.lower().startswith("cpe:2.3:"):
        fields = _split(raw[8:])
        if len(fields) != 11:
            raise CpeError(f"a CPE 2.3 name has 11 attributes, {raw!r} has {len(fields)}")
        values = [f.lower() if f not in (ANY, NA) else f for f in fields]
    elif raw.lower().startswith("cpe:/"):
        # CPE 2.2 URI binding (NISTIR 7695 section 6.1.3): missing attributes are ANY,
        # empty ones are ANY, "-" is NA; percent-escapes are decoded.
        fields = raw[5:].split(":")
        if len(fields) > 7:
            raise CpeError(f"a CPE 2.2 URI has at most 7 components: {raw!r}")
        decoded = [_URI_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), f).lower() for f in fields]
        values = [(v or ANY) for v in decoded] + [ANY] * (11 - len(decoded))
        if len(decoded) >= 6 and decoded[5].startswith("~"):
            # Packed edition: ~edition~sw_edition~target_sw~target_hw~other
            packed = (decoded[5].split("~") + [""] * 6)[1:6]
            values[5], values[7], values[8], values[9], values[10] = (p or ANY for p in packed)
    else:
        raise CpeError(f"not a CPE name: {raw!r}")
    if values[0] not in ("a", "o", "h", ANY):
        raise CpeError(f"CPE part must be a, o or h: {raw!r}")
    for index in (1, 2):
        if not values[index]:
            raise CpeError(f"CPE {ATTRIBUTES[index]} is empty: {raw!r}")
    return Cpe(*values)


class Relation(Enum):
    """Attribute comparison relations of NISTIR 7696 Table 6-2."""

    EQUAL = "equal"
    SUPERSET = "superset"
    SUBSET = "subset"
    DISJOINT = "disjoint"


def _has_wildcard(value: str) -> bool:
    unescaped = re.sub(r"\\.", "", value)
    return "*" in unescaped or "?" in unescaped


def _wildcard_regex(value: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(value):
        ch = value[index]
        if ch == "\\" and index + 1 < len(value):
            out.append(re.escape(value[index + 1]))
            index += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
        index += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE)


def compare_attribute(source: str, target: str) -> Relation:
    """Compare one attribute of a source (criterion) and a target (component) name."""
    if source == ANY:
        return Relation.EQUAL if target == ANY else Relation.SUPERSET
    if source == NA:
        if target == NA:
            return Relation.EQUAL
        return Relation.SUBSET if target == ANY else Relation.DISJOINT
    if target == ANY:
        return Relation.SUBSET
    if target == NA:
        return Relation.DISJOINT
    if _has_wildcard(source):
        return Relation.SUPERSET if _wildcard_regex(source).match(target) else Relation.DISJOINT
    return Relation.EQUAL if source.lower() == target.lower() else Relation.DISJOINT


@dataclass(frozen=True)
class VersionBounds:
    """NVD ``versionStart*`` / ``versionEnd*`` fields of a criterion."""

    start_including: str | None = None
    start_excluding: str | None = None
    end_including: str | None = None
    end_excluding: str | None = None

    @property
    def present(self) -> bool:
        """Whether any bound is set."""
        return any((self.start_including, self.start_excluding, self.end_including, self.end_excluding))

    def contains(self, version: str) -> bool:
        """Whether a concrete version lies within every given bound (generic order)."""
        if self.start_including and compare_generic(version, self.start_including) < 0:
            return False
        if self.start_excluding and compare_generic(version, self.start_excluding) <= 0:
            return False
        if self.end_including and compare_generic(version, self.end_including) > 0:
            return False
        return not (self.end_excluding and compare_generic(version, self.end_excluding) >= 0)

    def __str__(self) -> str:
        parts = []
        if self.start_including:
            parts.append(f">= {self.start_including}")
        if self.start_excluding:
            parts.append(f"> {self.start_excluding}")
        if self.end_including:
            parts.append(f"<= {self.end_including}")
        if self.end_excluding:
            parts.append(f"< {self.end_excluding}")
        return ", ".join(parts)


def unescape(value: str) -> str:
    """An attribute value without CPE backslash escapes (``tcp\\/ip`` -> ``tcp/ip``)."""
    return re.sub(r"\\(.)", r"\1", value)


@dataclass(frozen=True)
class CpeVerdict:
    """Outcome of matching a component CPE against one criterion."""

    matched: bool
    how: str
    """``exact`` or ``range`` when matched, else why not."""
    conditions: tuple[str, ...] = ()
    """Attributes the criterion restricts while the component's CPE leaves them open (ANY)."""


def cpe_matches(criterion: Cpe, bounds: VersionBounds, target: Cpe) -> CpeVerdict:
    """Whether ``target`` matches ``criterion`` with its version bounds.

    ``part``, ``vendor``, ``product`` must be equal values. For ``update`` ... ``other``, a
    DISJOINT attribute rejects the match; a SUBSET one (the criterion names a value, e.g.
    ``target_sw=node.js``, where the component's CPE says ANY) keeps the match as
    *conditional* and names the condition: NISTIR 7696 calls the names non-disjoint but not a
    superset, and dropping such matches would hide real vulnerabilities whenever an SBOM
    leaves those attributes open.
    """
    for name in ("part", "vendor", "product"):
        source, value = getattr(criterion, name), getattr(target, name)
        if source in (ANY, NA) or value in (ANY, NA) or source.lower() != value.lower():
            return CpeVerdict(False, f"{name} differs")
    conditions: list[str] = []
    for name in ATTRIBUTES[4:]:
        source, value = getattr(criterion, name), getattr(target, name)
        relation = compare_attribute(source, value)
        if relation is Relation.DISJOINT:
            return CpeVerdict(False, f"{name}: disjoint")
        if relation is Relation.SUBSET:
            conditions.append(f"{name}={unescape(source)}")
    if bounds.present:
        if criterion.version != ANY:
            # NVD never combines a concrete version with bounds; be strict if it does.
            return CpeVerdict(False, "criterion has both a version and bounds")
        if target.version in (ANY, NA):
            return CpeVerdict(False, "component CPE has no version to compare with the range")
        # NOTE: NISTIR 7696 leaves version ranges to the application; NVD compares them.
        if not bounds.contains(unescape(target.version)):
            return CpeVerdict(False, "version outside the range")
        return CpeVerdict(True, "range", tuple(conditions))
    relation = compare_attribute(criterion.version, target.version)
    if relation in (Relation.SUBSET, Relation.DISJOINT):
        return CpeVerdict(False, f"version: {relation.value}")
    if criterion.version == ANY:
        # Every version of the product: NVD uses this for "all versions" entries.
        return CpeVerdict(True, "range", tuple(conditions))
    return CpeVerdict(True, "exact", tuple(conditions))
