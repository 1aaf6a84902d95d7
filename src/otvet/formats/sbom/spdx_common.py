"""Pieces shared by the SPDX 2 (JSON and tag-value) and SPDX 3 readers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from otvet.formats.sbom.common import Reading, unique
from otvet.model import Component, Dependency

_ACTOR = re.compile(r"^\s*(Person|Organization|Tool)\s*:\s*(.*?)\s*(?:\(([^()]*)\))?\s*$", re.IGNORECASE)
_NO_VALUE = {"", "NOASSERTION", "NONE"}

INVERSE = {
    # SPDX 2.3 section 11.1: "A <type> B" where B is the including side.
    "DEPENDENCY_OF",
    "CONTAINED_BY",
    "BUILD_DEPENDENCY_OF",
    "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF",
    "PROVIDED_DEPENDENCY_OF",
    "TEST_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF",
    "PREREQUISITE_FOR",
    "PACKAGE_OF",
    "DESCRIBED_BY",
}


def actor_name(text: str | None) -> str | None:
    """``Organization: ACME (psirt@acme.example)`` → ``ACME``; NOASSERTION/NONE → None."""
    if text is None or text.strip().upper() in _NO_VALUE:
        return None
    match = _ACTOR.match(text)
    if match:
        name = match.group(2).strip()
        return name or (match.group(3) or "").strip() or None
    return text.strip() or None


def license_values(concluded: str | None, declared: str | None) -> tuple[str, ...]:
    """Concluded then declared licence expressions, without NOASSERTION/NONE."""
    return unique(v.strip() for v in (concluded, declared) if v and v.strip().upper() not in _NO_VALUE)


def relationship(source: str, kind: str, target: str, where: str) -> Dependency | None:
    """A relationship as a directed edge from the including side; NONE/NOASSERTION targets give none."""
    if target.strip().upper() in _NO_VALUE or source.strip().upper() in _NO_VALUE:
        return None
    if kind.upper() in INVERSE:
        return Dependency(target, (source,), where, kind)
    return Dependency(source, (target,), where, kind)


def document_subject(
    described: Sequence[str], packages: Sequence[Component], reading: Reading
) -> Component | None:
    """The first described package (SPDX documents may describe several)."""
    by_ref = {p.ref: p for p in packages}
    found = [by_ref[ref] for ref in described if ref in by_ref]
    if len(found) > 1:
        reading.warn(
            None,
            f"the document describes {len(found)} packages; the first, {found[0].label!r}, is taken as its subject",
        )
    return found[0] if found else None
