"""Applying VEX statements to findings, per (vulnerability, component).

A statement applies to a finding only when

1. its vulnerability id (or one of its aliases) is one of the finding's ids (aliases merged),
   and
2. it names the finding's component: directly (a product selector matches the component), or
   through the product: a product selector matches the SBOM's subject and the statement has
   no subcomponents (then it covers every component of that product), or a product selector
   matches the subject and a subcomponent selector matches the component.

A statement about a vulnerability is never applied to every component that has it
(DependencyTrack/dependency-track#3554), and a statement about another product (another BOM
serial number, another purl) never applies.

Selectors match by, in this order: CycloneDX BOM-Link (``urn:cdx:serial/version#ref``: the
SBOM's serial number and the component's bom-ref), purl (type, namespace and name per the
type's normalisation; the version and qualifiers when the selector gives them), CPE (NISTIR
7696), and, for selectors without any identifier (CSAF products, CycloneDX VEX metadata),
bom-ref plus name, or name plus version / version range. Several applicable statements: the
one about the component itself beats one about the whole product; then the newest; when
equally specific and equally new statements disagree, the least favourable status is kept
(fail closed) and the disagreement is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from packageurl import PackageURL

from otvet.knowledge.cpe import CpeError, VersionBounds, cpe_matches, parse_cpe
from otvet.knowledge.purls import normalise
from otvet.knowledge.vers import VersError, parse_vers
from otvet.knowledge.versions import compare_generic
from otvet.model import Component, SbomDocument
from otvet.model.vex import ProductSelector, VexStatement, VexStatus
from otvet.model.vulnerabilities import VexApplication

_UNFAVOURABLE = {
    VexStatus.AFFECTED: 0,
    VexStatus.UNDER_INVESTIGATION: 1,
    VexStatus.FIXED: 2,
    VexStatus.NOT_AFFECTED: 3,
}


@dataclass(frozen=True)
class Applied:
    """The chosen statement for one finding, and disagreeing ones."""

    application: VexApplication | None
    conflicts: tuple[str, ...]
    used: tuple[int, ...]
    """Indexes of the statements that applied."""


def _version_of(component: Component) -> str | None:
    if component.version:
        return component.version
    if component.purl:
        try:
            return PackageURL.from_string(component.purl).version
        except ValueError:
            return None
    return None


def _purl_matches(selector: str, component: Component) -> bool:
    if not component.purl:
        return False
    try:
        wanted = PackageURL.from_string(selector)
        have = PackageURL.from_string(component.purl)
    except ValueError:
        return False
    if normalise(wanted.type, wanted.namespace, wanted.name) != normalise(
        have.type, have.namespace, have.name
    ):
        return False
    if (
        wanted.version
        and have.version != wanted.version
        and compare_generic(wanted.version, have.version or "") != 0
    ):
        return False
    wanted_q: dict[str, str] = dict(wanted.qualifiers or {})
    have_q: dict[str, str] = dict(have.qualifiers or {})
    return all(have_q.get(k) == v for k, v in wanted_q.items())


def _cpe_matches(selector: str, component: Component) -> bool:
    try:
        wanted = parse_cpe(selector)
    except CpeError:
        return False
    for text in component.cpes:
        try:
            have = parse_cpe(text)
        except CpeError:
            continue
        verdict = cpe_matches(wanted, VersionBounds(), have)
        if (verdict.matched and not verdict.conditions) or str(wanted) == str(have):
            return True
    return False


def _version_fits(selector: ProductSelector, component: Component) -> bool:
    version = _version_of(component)
    if selector.version_range:
        if version is None:
            return False
        try:
            return parse_vers(selector.version_range).contains(version)
        except VersError:
            return False  # free-text ranges are not interpreted: the statement does not apply
    if selector.version:
        return version is not None and (
            version == selector.version or compare_generic(version, selector.version) == 0
        )
    return True


def selector_matches(selector: ProductSelector, component: Component, sbom: SbomDocument) -> str | None:
    """How the selector identifies the component (``bom-link``, ``purl``, ``cpe``, ``bom-ref``,
    ``name``), or None when it does not."""
    if selector.bom_ref and selector.bom_ref.startswith("urn:cdx:"):
        serial, _, ref = selector.bom_ref[len("urn:cdx:") :].partition("#")
        serial_id, _, bom_version = serial.partition("/")
        if not sbom.serial or sbom.serial.lower() not in (f"urn:uuid:{serial_id}".lower(), serial_id.lower()):
            return None
        if bom_version and sbom.document_version and bom_version != sbom.document_version:
            return None
        return "bom-link" if component.ref == ref and _version_fits(selector, component) else None
    if selector.purl:
        return (
            "purl" if _purl_matches(selector.purl, component) and _version_fits(selector, component) else None
        )
    if selector.cpe:
        return "cpe" if _cpe_matches(selector.cpe, component) and _version_fits(selector, component) else None
    name_ok = bool(selector.name) and (selector.name or "").strip().lower() == component.name.strip().lower()
    if selector.bom_ref and component.ref == selector.bom_ref and (name_ok or not selector.name):
        return "bom-ref" if _version_fits(selector, component) else None
    # Without an identifier (CSAF product names, a standalone CycloneDX VEX describing its
    # product in metadata), name and version identify the product; a name alone never does.
    if name_ok and (selector.version or selector.version_range) and _version_fits(selector, component):
        return "name"
    return None


def apply_statements(
    ids: set[str], component: Component, sbom: SbomDocument, statements: Sequence[VexStatement]
) -> Applied:
    """Choose the statement that applies to one (vulnerability, component) finding."""
    candidates: list[tuple[int, VexStatement, str, str]] = []
    subject = sbom.subject
    for index, statement in enumerate(statements):
        names = {statement.vulnerability.upper(), *(a.upper() for a in statement.aliases)}
        if not names & ids:
            continue
        how: str | None = None
        scope = "component"
        if statement.subcomponents:
            product_ok = subject is not None and any(
                selector_matches(p, subject, sbom) for p in statement.products
            )
            if product_ok:
                how = next(
                    (h for s in statement.subcomponents if (h := selector_matches(s, component, sbom))), None
                )
        else:
            how = next((h for p in statement.products if (h := selector_matches(p, component, sbom))), None)
            if how is None and subject is not None and subject is not component:
                how = next((h for p in statement.products if (h := selector_matches(p, subject, sbom))), None)
                scope = "product"
        if how is not None:
            candidates.append((index, statement, scope, how))
    if not candidates:
        return Applied(None, (), ())
    oldest = datetime.min.replace(tzinfo=UTC)

    def rank(item: tuple[int, VexStatement, str, str]) -> tuple[int, datetime, int]:
        _, statement, scope, _ = item
        stamp = statement.timestamp or oldest
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        # component-level first, then newest, then least favourable (fail closed)
        return (1 if scope == "component" else 0, stamp, -_UNFAVOURABLE[statement.status])

    ordered = sorted(candidates, key=rank, reverse=True)
    _, chosen, scope, how = ordered[0]
    conflicts = tuple(
        f"{s.source or s.format} {s.location}: {s.status.value} ({sc})"
        for _, s, sc, _ in ordered[1:]
        if s.status is not chosen.status
    )
    application = VexApplication(
        status=chosen.status,
        justification=chosen.justification,
        source=chosen.source,
        location=chosen.location,
        format=chosen.format,
        scope=scope if how in ("bom-link", "purl", "cpe", "bom-ref") else f"{scope} (by name and version)",
        detail=chosen.impact or chosen.action,
        statement_vulnerability=chosen.vulnerability,
    )
    return Applied(application, conflicts, tuple(i for i, *_ in candidates))
