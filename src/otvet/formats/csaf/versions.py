"""Versions and version ranges as OT advisories write them.

Two inputs: ``vers:`` ranges (the registered schemes, and the unregistered ``vers:all/`` form
CISA uses, which univers rejects) and free text ("All versions < V1.5 SP3 Update 2",
"prior to 4.2", "4.1 and earlier", "3.0 through 3.4", ">= 1.0 | <= 1.32"). Every reading
carries a :class:`~otvet.model.csaf.MatchConfidence` and a reason; a string we cannot read is
``needs_review`` and is never evaluated as inside or outside (``contains`` returns None).

Versions are compared in one generic order that fits OT firmware: a leading ``V``/``Ver``
is dropped, numbers compare numerically, Siemens-style qualifiers ("SP3", "Update 2",
"Upd 4", "HF30") sort after the plain version they qualify, and pre-release words (alpha,
beta, rc) sort before it. ``vers`` constraint lists are evaluated with the interval algorithm
of the vers specification (package-url/purl-spec, VERSION-RANGE-SPEC.rst).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import cmp_to_key
from itertools import pairwise

from otvet.model.csaf import MatchConfidence, VersionConstraint, VersionRange

VERS_SCHEMES = frozenset(
    {
        "alpine", "apk", "cargo", "composer", "conan", "cpan", "cran", "deb", "gem", "generic", "github",
        "golang", "hex", "intdot", "maven", "mozilla", "nginx", "npm", "nuget", "openssl", "pub", "pypi",
        "rpm", "semver", "swift", "datetime",
    }
)  # fmt: skip
"""vers schemes registered (or in use) in the purl-spec VERSION-RANGE-SPEC; compared here in the
generic order, which agrees with each scheme for the dotted numeric versions OT products use."""

_PRE = {"alpha": 0, "a": 0, "beta": 1, "b": 1, "pre": 2, "preview": 2, "rc": 3, "dev": -1}
_QUALIFIER = {
    "sp": "sp",
    "servicepack": "sp",
    "update": "update",
    "upd": "update",
    "hf": "hf",
    "hotfix": "hf",
    "patch": "patch",
    "p": "patch",
}

Key = tuple[tuple[int, int, str], ...]


def _fold(text: str) -> str:
    """NFKC, trimmed, single-spaced, and mojibake (UTF-8 read as Latin-1) repaired."""
    if "Ã" in text or "Â" in text:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("latin-1").decode("utf-8")
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_prefix(version: str) -> str:
    return re.sub(r"^(?:version|ver\.?|rev\.?|v)\s*(?=\d)", "", version.strip(), flags=re.IGNORECASE)


def version_key(version: str) -> Key:
    """A sort key of a version in the generic order (see the module docstring)."""
    text = _strip_prefix(_fold(version)).lower()
    key: list[tuple[int, int, str]] = []
    for token in re.findall(r"\d+|[a-z]+", text):
        if token.isdigit():
            key.append((3, int(token), ""))
        elif token in _PRE:
            key.append((0, _PRE[token], token))
        else:
            key.append((2, 0, _QUALIFIER.get(token, token)))
    return tuple(key)


_NEUTRAL = (1, 0, "")


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as version ``a`` sorts before, equal to, or after ``b``."""
    ka, kb = version_key(a), version_key(b)
    for index in range(max(len(ka), len(kb))):
        x = ka[index] if index < len(ka) else _NEUTRAL
        y = kb[index] if index < len(kb) else _NEUTRAL
        if x != y:
            return -1 if x < y else 1
    return 0


def same_version(a: str, b: str) -> bool:
    """Whether two version strings name the same version ("V3.2.1" and "3.2.1" do)."""
    return compare(a, b) == 0 and bool(version_key(a))


def _satisfies(version: str, constraint: VersionConstraint) -> bool:
    if constraint.operator == "*":
        return True
    c = compare(version, constraint.version)
    return {
        "<": c < 0,
        "<=": c <= 0,
        ">": c > 0,
        ">=": c >= 0,
        "=": c == 0,
        "!=": c != 0,
    }[constraint.operator]


def _by_version(x: VersionConstraint, y: VersionConstraint) -> int:
    return compare(x.version, y.version)


def _vers_contains(version: str, constraints: tuple[VersionConstraint, ...]) -> bool:
    """The containment algorithm of the vers specification for one constraint list."""
    if any(c.operator == "*" for c in constraints):
        return True
    if any(c.operator == "=" and compare(version, c.version) == 0 for c in constraints):
        return True
    if any(c.operator == "!=" and compare(version, c.version) == 0 for c in constraints):
        return False
    rest = sorted(
        (c for c in constraints if c.operator not in ("=", "!=")),
        key=cmp_to_key(_by_version),
    )
    if not rest:
        return False
    if len(rest) == 1:
        return _satisfies(version, rest[0])
    first, last = rest[0], rest[-1]
    if first.operator in ("<", "<=") and _satisfies(version, first):
        return True
    if last.operator in (">", ">=") and _satisfies(version, last):
        return True
    for low, high in pairwise(rest):
        if (
            low.operator in (">", ">=")
            and high.operator in ("<", "<=")
            and _satisfies(version, low)
            and _satisfies(version, high)
        ):
            return True
    return False


def contains(rng: VersionRange, version: str) -> bool | None:
    """Whether ``version`` lies in the range; None when the range could not be read."""
    if not rng.parsed or not version.strip():
        return None
    return any(_vers_contains(version, alt) for alt in rng.alternatives)


# --- reading ---------------------------------------------------------------------------------

_QUAL_WORDS = r"(?:sp|service pack|update|upd|hf|hotfix|patch|p|build|rev|r|u|sr|fp|alpha|beta|rc|release)"
_VERSION = re.compile(
    rf"^(?:v|ver\.?|version|rev\.?|r)?\s*\d[\w.\-+/()]*(?:\s+{_QUAL_WORDS}\s*\.?\s*\d+[\w.]*)*$",
    re.IGNORECASE,
)
_ODD_VERSION = re.compile(r"^[A-Za-z][\w.\-+]*\d[\w.\-+()]*$")
_DATE = re.compile(r"(?:^|\D)(?:19|20)\d{2}(?:[01]\d[0-3]\d)?(?:\D|$)")
_OP = r"(<=|>=|=<|=>|==|<|>|=|!=)"


_WILDCARD = re.compile(r"(?:^|[.\s\-_/])(?:[xX]+|\*)(?=[.\s\-_/]|$)|\d[xX]+(?!\w)")
"""A placeholder component: "V3.X.17", "6.x", "5.1.0-x" (any build of 5.1.0, ICSA-22-074-01),
"7.2x", "8.0x", and runs such as "16XXXXXXXXX" (serial numbers beginning with 16, ICSA-23-103-15)."""


def _wildcard(version: str) -> bool:
    """Whether the version holds a placeholder, so it has no place in the order."""
    return bool(_WILDCARD.search(version))


def _looks_like_version(text: str) -> bool:
    return bool(_VERSION.match(text.strip()))


def _date_based(text: str) -> bool:
    """Years (2017 R2, SE2021MP8) and 8-digit dates (20210209) used as versions."""
    stripped = _strip_prefix(text)
    return bool(
        re.fullmatch(r"(?:19|20)\d{6}", stripped) or re.search(r"\b(?:19|20)\d{2}\s*R\d", stripped)
    ) or (bool(_DATE.search(stripped)) and not re.match(r"^\d+(\.\d+)+$", stripped))


def _range(
    text: str,
    confidence: MatchConfidence,
    alternatives: tuple[tuple[VersionConstraint, ...], ...],
    scheme: str,
    reason: str,
) -> VersionRange:
    return VersionRange(
        text=text, confidence=confidence, alternatives=alternatives, scheme=scheme, reason=reason
    )


def _review(text: str, reason: str, scheme: str = "text") -> VersionRange:
    return VersionRange(text=text, confidence=MatchConfidence.NEEDS_REVIEW, scheme=scheme, reason=reason)


def _normal_op(op: str) -> str:
    return {"=<": "<=", "=>": ">=", "==": "="}.get(op, op)


def read_vers(text: str) -> VersionRange:
    """Read a ``vers:<scheme>/<constraints>`` range."""
    match = re.match(r"^vers:([a-z0-9.+-]+)/(.*)$", text.strip(), re.IGNORECASE)
    if not match:
        return _review(text, "not a vers range (expected vers:<scheme>/<constraints>)", "vers")
    scheme, body = match.group(1).lower(), match.group(2).strip()
    if body == "*":
        return _range(
            text,
            MatchConfidence.PARSED_RANGE,
            ((VersionConstraint("*"),),),
            scheme,
            "vers '*': every version",
        )
    # NOTE: CISA writes some ranges without the '|' separator ("vers:all/>=V7.80<V9.40"):
    # split before every comparator instead of only at '|'.
    parts = [p for p in re.split(r"\|| (?=[<>!=])|(?<=[\w)])(?=[<>!]=?)", body) if p.strip()]
    constraints: list[VersionConstraint] = []
    for part in parts:
        m = re.match(rf"^\s*{_OP}?\s*(.+?)\s*$", part)
        if not m or not m.group(2):
            return _review(text, f"unreadable vers constraint {part!r}", scheme)
        op, version = _normal_op(m.group(1) or "="), m.group(2)
        if _wildcard(version):
            return _review(text, f"wildcard version {version!r} cannot be ordered", scheme)
        if not _looks_like_version(version) and not _ODD_VERSION.match(version):
            return _review(text, f"{version!r} is not a version", scheme)
        constraints.append(VersionConstraint(op, version))
    compact = "|" not in body and len(parts) > 1
    if scheme == "all":
        confidence = MatchConfidence.PARSED_RANGE
        reason = "vers:all is not a registered vers scheme; versions compared in the generic order"
    elif scheme in VERS_SCHEMES:
        confidence = MatchConfidence.PARSED_RANGE
        reason = f"vers:{scheme} range"
    else:
        confidence = MatchConfidence.HEURISTIC
        reason = f"unknown vers scheme {scheme!r}; versions compared in the generic order"
    if compact:
        confidence = confidence.weaker(MatchConfidence.HEURISTIC)
        reason += "; constraints not separated by '|' (split at each comparator)"
    if any(_date_based(c.version) for c in constraints):
        confidence = confidence.weaker(MatchConfidence.HEURISTIC)
        reason += "; date-based version"
    return _range(text, confidence, (tuple(constraints),), scheme, reason)


_ALL = re.compile(
    r"^(?:all(?: (?:affected )?(?:versions?|releases|firmware versions?|models))?|\*|any(?: version)?)$", re.I
)
_LEAD = re.compile(
    r"^(?:all (?:affected )?(?:bios |firmware |software )?(?:versions?|releases)|versions?|(?:bios|firmware|software|fw)(?: versions?)?|releases?)\s*(?=[<>=]|prior|before|earlier|up to|from|\d|v\d)",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"^(?:prior to|before|earlier than|older than|lower than|below|less than)\s+(.+)$", re.I)
_AND_BEFORE = re.compile(
    r"^(.+?)\s+(?:and|or|&)\s+(?:prior|earlier|before|older|below|lower|previous)(?: (?:versions?|releases?))?$",
    re.I,
)
_UP_TO = re.compile(r"^(?:up to(?: and including)?|through|until|to)\s+(.+)$", re.I)
_AND_LATER = re.compile(
    r"^(.+?)\s+(?:and|or|&)\s+(?:later|newer|above|higher|after|greater|subsequent)(?: (?:versions?|releases?))?$",
    re.I,
)
_FROM = re.compile(r"^(?:from|since|starting with|after)\s+(.+)$", re.I)
_BETWEEN = re.compile(r"^(?:from\s+|between\s+)?(.+?)\s+(?:through|thru|to|until|and|-|–)\s+(.+)$", re.I)
_SEPARATORS = re.compile(r"\s*(?:\||,|;|&|\band\b|\bor\b)\s*|\s+(?=[<>!]=?|=)", re.I)
_CONSTRAINT = re.compile(rf"^{_OP}?\s*(.+?)$")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def _constraint_list(body: str) -> list[VersionConstraint] | None:
    """``>= A | <= B``, ``< X``, ``A, B and C``, ``<= A | B``: comparators and bare versions
    joined by separators, read as one vers-style constraint list; None if any part is not."""
    constraints = []
    for part in _SEPARATORS.split(body):
        if not part.strip():
            continue
        m = _CONSTRAINT.match(part.strip())
        if not m:
            return None
        version = m.group(2).strip()
        if not (_looks_like_version(version) or (_ODD_VERSION.match(version) and " " not in version)):
            if _MONTH.search(version) or re.search(r"serial|digits|\*{2,}|[xX](?:\.|$)", version, re.I):
                constraints.append(VersionConstraint(_normal_op(m.group(1) or "="), version))
                continue
            return None
        constraints.append(VersionConstraint(_normal_op(m.group(1) or "="), version))
    return constraints or None


def _checked(
    text: str,
    constraints: list[VersionConstraint],
    reason: str,
    confidence: MatchConfidence,
    *,
    alternatives: bool = False,
) -> VersionRange:
    notes = [reason]
    for c in constraints:
        version = c.version.strip()
        if c.operator == "*":
            continue
        if _wildcard(version):
            return _review(
                text, f"wildcard version {version!r} (e.g. 'V3.X.17', '7.2x', '5.1.0-x') cannot be ordered"
            )
        if re.search(r"serial|\*{2,}|digits|ending", version, re.I):
            return _review(text, f"{version!r} names serial numbers, not versions")
        if _MONTH.search(version):
            return _review(text, f"date-based range ({version!r}): a release date, not a comparable version")
        if not _looks_like_version(version):
            if _ODD_VERSION.match(version):
                confidence = confidence.weaker(MatchConfidence.HEURISTIC)
                notes.append(f"unusual version format {version!r}")
            else:
                return _review(text, f"{version!r} is not a version")
        if _date_based(version):
            confidence = confidence.weaker(MatchConfidence.HEURISTIC)
            notes.append(f"date-based version {version!r}")
    groups = tuple((c,) for c in constraints) if alternatives else (tuple(constraints),)
    return _range(text, confidence, groups, "text", "; ".join(notes))


def read_text_range(text: str) -> VersionRange:
    """Read a free-text version range (the forms of the CISA ICS advisories)."""
    original = text
    body = _fold(text).strip(" .;,'\"")
    confidence = MatchConfidence.PARSED_RANGE
    notes: list[str] = []
    remark = re.search(r"\(([^()]*)\)\s*$", body)
    if remark and not re.match(r"^\d", remark.group(1)):
        body = body[: remark.start()].strip()
        confidence = MatchConfidence.HEURISTIC
        notes.append(f"remark '({remark.group(1)})' not evaluated")
    if not body:
        return _review(original, "empty range")
    if _ALL.match(body):
        return _range(
            original, confidence, ((VersionConstraint("*"),),), "text", "; ".join(["all versions", *notes])
        )
    body = _LEAD.sub("", body).strip()

    def done(
        constraints: list[VersionConstraint], reason: str, conf: MatchConfidence = confidence
    ) -> VersionRange:
        return _checked(original, constraints, "; ".join([reason, *notes]), conf)

    listed = _constraint_list(body)
    if listed is not None and not (len(listed) == 1 and listed[0].operator == "="):
        if all(c.operator == "=" for c in listed):
            return _checked(
                original,
                listed,
                "; ".join(["a list of versions", *notes]),
                confidence,
                alternatives=True,
            )
        return done(listed, "comparators")
    for pattern, op, reason in (
        (_BEFORE, "<", "'prior to X' read as < X"),
        (_AND_BEFORE, "<=", "'X and prior' read as <= X"),
        (_AND_LATER, ">=", "'X and later' read as >= X"),
        (_FROM, ">=", "'from X' read as >= X"),
    ):
        m = pattern.match(body)
        if m and _looks_like_version(m.group(1).strip()):
            return done([VersionConstraint(op, m.group(1).strip())], reason)
    m = _UP_TO.match(body)
    if m and _looks_like_version(m.group(1).strip()):
        return done(
            [VersionConstraint("<=", m.group(1).strip())],
            "'up to X' read as <= X (inclusive)",
            confidence.weaker(MatchConfidence.HEURISTIC),
        )
    m = _BETWEEN.match(body)
    if m and _looks_like_version(m.group(1).strip()) and _looks_like_version(m.group(2).strip()):
        return done(
            [VersionConstraint(">=", m.group(1).strip()), VersionConstraint("<=", m.group(2).strip())],
            "'X through Y' read as >= X and <= Y",
        )
    m = re.match(rf"^([^<>=]+?)\s*{_OP}\s*(.+)$", body)
    if m and _looks_like_version(m.group(1).strip()) and m.group(2) in ("<", "<="):
        return done(
            [VersionConstraint(">=", m.group(1).strip()), VersionConstraint(m.group(2), m.group(3).strip())],
            "'X < Y' read as >= X and < Y",
            confidence.weaker(MatchConfidence.HEURISTIC),
        )
    if _looks_like_version(body) or (_ODD_VERSION.match(body) and " " not in body):
        return done([VersionConstraint("=", body)], "a single version")
    if re.search(r"\b(?:only if|if|when|with|using|including|set to|deployments?)\b", body, re.I):
        return _review(original, "conditional or configuration-dependent statement, not a version range")
    if re.search(r"[A-Za-z]{3,}\s+(?:[<>]|v?\d)", body) and not _MONTH.search(body):
        return _review(original, "range mixed with product or component names")
    return _review(original, "unrecognised range form")


def read_range(text: str) -> VersionRange:
    """Read any version range string (``vers:`` or free text); never raises."""
    if text.strip().lower().startswith("vers:"):
        return read_vers(text)
    return read_text_range(text)
