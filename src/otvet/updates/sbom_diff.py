"""The SBOM diff between the running version and an update: components added, removed, changed;
vulnerabilities fixed and introduced when a vulnerability source is available.

SBOMs are read only through :func:`otvet.formats.sbom.read_sbom` (every format it supports).
Components are matched across versions by identity without version: the purl's
``type/namespace/name``, else the CPE's ``vendor:product``, else the name. Several components
with the same identity (two versions of one library) are paired by equal version first.

Without a vulnerability source the diff says ``vulnerability data not available``: an absent
knowledge base must never read as "no vulnerabilities".
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from packageurl import PackageURL

from otvet.audit import canonical_json
from otvet.formats.sbom import read_sbom
from otvet.model.components import Component, SbomDocument
from otvet.model.serialize import to_jsonable
from otvet.model.updates import (
    ChangeKind,
    ComponentChange,
    ComponentSummary,
    SbomDiff,
    SbomRef,
    VulnerabilityChange,
    VulnerabilityDelta,
)
from otvet.safeio import DEFAULT_LIMITS, Limits, sha256_file
from otvet.updates.interface import VulnerabilitySource

SCHEMA_VERSION = "1.0"
NOT_AVAILABLE = "vulnerability data not available"


def identity(component: Component) -> str:
    """The identity of a component across versions."""
    if component.purl:
        try:
            purl = PackageURL.from_string(component.purl)
        except ValueError:
            pass
        else:
            namespace = f"{purl.namespace}/" if purl.namespace else ""
            return f"pkg:{purl.type.lower()}/{namespace}{purl.name}".lower()
    for cpe in component.cpes:
        parts = cpe.split(":")
        if cpe.startswith("cpe:2.3:") and len(parts) > 4:
            return f"cpe:{parts[3]}:{parts[4]}".lower()
        if cpe.startswith("cpe:/") and len(parts) > 3:
            return f"cpe:{parts[2]}:{parts[3]}".lower()
    return f"name:{component.name.strip().casefold()}"


def _summary(component: Component) -> ComponentSummary:
    return ComponentSummary(
        key=identity(component),
        name=component.name,
        version=component.version,
        purl=component.purl,
        ref=component.ref,
    )


def _purl_without_version(purl: str | None) -> str | None:
    if not purl:
        return None
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return purl
    return PackageURL(
        parsed.type, parsed.namespace, parsed.name, None, parsed.qualifiers, parsed.subpath
    ).to_string()


def _changes(old: Component, new: Component) -> tuple[ChangeKind, ...]:
    found = []
    if (old.version or "") != (new.version or ""):
        found.append(ChangeKind.VERSION)
    old_hashes = {(h.algorithm, h.value) for h in old.hashes}
    new_hashes = {(h.algorithm, h.value) for h in new.hashes}
    if old_hashes and new_hashes and old_hashes != new_hashes:
        found.append(ChangeKind.HASHES)
    if (old.supplier or "") != (new.supplier or ""):
        found.append(ChangeKind.SUPPLIER)
    if sorted(old.licenses) != sorted(new.licenses):
        found.append(ChangeKind.LICENSES)
    if _purl_without_version(old.purl) != _purl_without_version(new.purl):
        found.append(ChangeKind.PURL)
    return tuple(found)


def _pair(
    old: list[Component], new: list[Component]
) -> tuple[list[tuple[Component, Component]], list[Component], list[Component]]:
    """Pairs (equal versions first, then in document order), unpaired old, unpaired new."""
    old_left, new_left = list(old), list(new)
    pairs = []
    for item in list(old_left):
        same = next((n for n in new_left if (n.version or "") == (item.version or "")), None)
        if same is not None:
            pairs.append((item, same))
            old_left.remove(item)
            new_left.remove(same)
    while old_left and new_left:
        pairs.append((old_left.pop(0), new_left.pop(0)))
    return pairs, old_left, new_left


def _ref(document: SbomDocument, path: Path) -> SbomRef:
    digest, _ = sha256_file(path)
    return SbomRef(
        path=document.path,
        sha256=digest,
        format=f"{document.format} {document.spec_version} {document.encoding}".strip(),
        subject=document.subject.label if document.subject else None,
        components=len(document.components),
    )


def _vulnerability_pairs(
    components: Sequence[Component], answer: dict[str, Sequence[str]]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    by_ref = {c.ref: c for c in components}
    for ref, ids in answer.items():
        component = by_ref.get(ref)
        if component is None:
            continue
        for vulnerability in ids:
            found[(str(vulnerability), identity(component))] = component.label
    return found


def _vulnerabilities(old: SbomDocument, new: SbomDocument, source: VulnerabilitySource) -> VulnerabilityDelta:
    before = _vulnerability_pairs(
        old.components, {k: list(v) for k, v in source.vulnerabilities(old.components).items()}
    )
    after = _vulnerability_pairs(
        new.components, {k: list(v) for k, v in source.vulnerabilities(new.components).items()}
    )

    def changes(
        keys: set[tuple[str, str]], labels: dict[tuple[str, str], str]
    ) -> tuple[VulnerabilityChange, ...]:
        return tuple(
            VulnerabilityChange(vulnerability=vuln, component=key, label=labels[(vuln, key)])
            for vuln, key in sorted(keys)
        )

    return VulnerabilityDelta(
        source=source.name,
        fixed=changes(set(before) - set(after), before),
        introduced=changes(set(after) - set(before), after),
        remaining=changes(set(before) & set(after), after),
    )


def diff_documents(
    old: SbomDocument,
    new: SbomDocument,
    *,
    old_ref: SbomRef,
    new_ref: SbomRef,
    vulnerabilities: VulnerabilitySource | None = None,
) -> SbomDiff:
    """Diff two parsed SBOMs."""
    old_by: dict[str, list[Component]] = defaultdict(list)
    new_by: dict[str, list[Component]] = defaultdict(list)
    for component in old.components:
        old_by[identity(component)].append(component)
    for component in new.components:
        new_by[identity(component)].append(component)
    added: list[ComponentSummary] = []
    removed: list[ComponentSummary] = []
    changed: list[ComponentChange] = []
    unchanged = 0
    for key in sorted(set(old_by) | set(new_by)):
        pairs, gone, came = _pair(old_by.get(key, []), new_by.get(key, []))
        removed.extend(_summary(c) for c in gone)
        added.extend(_summary(c) for c in came)
        for before, after in pairs:
            kinds = _changes(before, after)
            if not kinds:
                unchanged += 1
                continue
            changed.append(
                ComponentChange(
                    key=key,
                    name=after.name,
                    old_version=before.version,
                    new_version=after.version,
                    changes=kinds,
                    old_ref=before.ref,
                    new_ref=after.ref,
                )
            )
    delta = _vulnerabilities(old, new, vulnerabilities) if vulnerabilities is not None else None
    if delta is None:
        note = NOT_AVAILABLE
    else:
        note = (
            f"{len(delta.fixed)} fixed, {len(delta.introduced)} newly introduced, "
            f"{len(delta.remaining)} still present (source: {delta.source})"
        )
    problems = tuple(f"{old_ref.path}: {p}" for p in old.problems) + tuple(
        f"{new_ref.path}: {p}" for p in new.problems
    )
    return SbomDiff(
        otvet_sbom_diff=SCHEMA_VERSION,
        old=old_ref,
        new=new_ref,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        unchanged=unchanged,
        vulnerabilities=delta,
        vulnerability_note=note,
        problems=tuple(str(p) for p in problems),
    )


def diff_sboms(
    old_path: Path,
    new_path: Path,
    *,
    vulnerabilities: VulnerabilitySource | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> SbomDiff:
    """Read two SBOMs (any format ``read_sbom`` supports) and diff them."""
    old = read_sbom(old_path, display=str(old_path), limits=limits)
    new = read_sbom(new_path, display=str(new_path), limits=limits)
    return diff_documents(
        old, new, old_ref=_ref(old, old_path), new_ref=_ref(new, new_path), vulnerabilities=vulnerabilities
    )


def diff_digest(diff: SbomDiff) -> str:
    """SHA-256 of a diff's canonical content (what approvals bind to when no file is written)."""
    return hashlib.sha256(canonical_json(to_jsonable(diff))).hexdigest()
