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
7696), and, for selectors without any identifier, bom-ref plus name, or name plus version /
version range (CycloneDX VEX metadata). Several applicable statements: the one about the
component itself beats one about the whole product; then the newest; when equally specific
and equally new statements disagree, the least favourable status is kept (fail closed) and
the disagreement is reported.

CSAF products without purl or CPE (every CISA ICS advisory) are matched through the CSAF
product-tree resolver (vendor, product name or family, model numbers, version or version
range) against the component (its supplier, name and version), the SBOM's subject, or the
product under assessment (ADR 0046):

- ``exact`` / ``parsed_range`` matches apply;
- a ``heuristic`` match applies only when the statement is unfavourable (``affected``,
  ``under_investigation``): a guess may add a warning but never clears a finding;
- an undecided match (a range that needs review) and a favourable heuristic one are not
  applied: they are returned as *review* notes, so the finding stays open and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from packageurl import PackageURL

from otvet.formats.csaf.resolver import match_product
from otvet.knowledge.cpe import CpeError, VersionBounds, cpe_matches, parse_cpe
from otvet.knowledge.purls import normalise
from otvet.knowledge.vers import VersError, parse_vers
from otvet.knowledge.versions import compare_generic
from otvet.model import Component, ProductIdentity, SbomDocument
from otvet.model.csaf import CsafProduct, MatchConfidence, MatchVerdict
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
    review: tuple[str, ...] = ()
    """CSAF statements that may concern the finding but were not applied (undecided range, or
    a favourable status matched only heuristically), each with the reason."""
    reviewed: tuple[int, ...] = ()
    """Indexes of those statements (they did not apply to nothing: they wait for a person)."""


@dataclass(frozen=True)
class Selected:
    """How a selector names a component: the method, and for CSAF products the resolver's
    verdict (``undecided`` selections are not applied, see the module docstring)."""

    how: str
    """``bom-link``, ``purl``, ``cpe``, ``bom-ref``, ``name`` or ``csaf``."""
    confidence: MatchConfidence = MatchConfidence.EXACT
    reason: str | None = None
    undecided: bool = False


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


def _csaf_product(selector: ProductSelector) -> CsafProduct:
    return CsafProduct(
        product_id=selector.csaf_product_id or "?",
        name=selector.label,
        cpe=selector.cpe,
        purl=selector.purl,
        vendor=selector.vendor,
        product_family=selector.product_family,
        product_name=selector.name,
        version=selector.version,
        version_range=selector.version_range,
        model_numbers=selector.model_numbers,
    )


def component_identity(component: Component) -> ProductIdentity:
    """A component as a product identity for the CSAF resolver: supplier (else creator), name,
    version. Without a supplier or creator no vendor can match (the resolver needs one)."""
    return ProductIdentity(
        vendor=(component.supplier or component.author or "").strip(),
        product=component.name,
        version=_version_of(component) or "",
    )


def csaf_selects(
    selector: ProductSelector, identity: ProductIdentity, components: Sequence[Component] = ()
) -> Selected | None:
    """The CSAF resolver's verdict on a CSAF product selector (ADR 0046)."""
    verdict = match_product(_csaf_product(selector), identity, components)
    if verdict is None or verdict.verdict is MatchVerdict.NO_MATCH:
        return None
    # The resolver decides by purl or CPE first (its reason names the identifier).
    how = next(
        (h for h, prefix in (("purl", "purl "), ("cpe", "CPE ")) if verdict.reason.startswith(prefix)), "csaf"
    )
    return Selected(
        how,
        verdict.confidence,
        verdict.reason,
        undecided=verdict.verdict is MatchVerdict.UNDECIDED,
    )


def _by_resolver(selector: ProductSelector) -> bool:
    """CSAF products go through the resolver: its purl or CPE first (the identifier's own
    version decides, not the branch version, which may describe another level of the tree),
    then vendor, name and version."""
    return selector.csaf_product_id is not None and not selector.bom_ref


def select(selector: ProductSelector, component: Component, sbom: SbomDocument) -> Selected | None:
    """How the selector names the component, or None when it does not."""
    if _by_resolver(selector):
        return csaf_selects(selector, component_identity(component), (component,))
    how = selector_matches(selector, component, sbom)
    return Selected(how) if how is not None else None


def selector_matches(selector: ProductSelector, component: Component, sbom: SbomDocument) -> str | None:
    """How the selector identifies the component (``bom-link``, ``purl``, ``cpe``, ``bom-ref``,
    ``name``), or None when it does not (CSAF products without identifiers: see :func:`select`)."""
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
    # Without an identifier (a standalone CycloneDX VEX describing its product in metadata),
    # name and version identify the product; a name alone never does. CSAF products never get
    # here: they go through the CSAF resolver (see select()).
    if name_ok and (selector.version or selector.version_range) and _version_fits(selector, component):
        return "name"
    return None


def _applies(selected: Selected, status: VexStatus) -> bool:
    """Whether a selection decides: undecided never does, a heuristic one only against the
    vendor's interest (it may keep a finding open, never close one)."""
    if selected.undecided:
        return False
    if selected.confidence.rank >= MatchConfidence.PARSED_RANGE.rank:
        return True
    return status in (VexStatus.AFFECTED, VexStatus.UNDER_INVESTIGATION)


def apply_statements(
    ids: set[str],
    component: Component,
    sbom: SbomDocument,
    statements: Sequence[VexStatement],
    product: ProductIdentity | None = None,
) -> Applied:
    """Choose the statement that applies to one (vulnerability, component) finding.

    ``product`` is the product under assessment (the bundle manifest's identity): CSAF
    statements naming it by vendor, name and version apply to its components like statements
    naming the SBOM's subject.
    """
    candidates: list[tuple[int, VexStatement, str, Selected]] = []
    review: list[str] = []
    reviewed: list[int] = []
    subject = sbom.subject

    def product_selection(selector: ProductSelector) -> Selected | None:
        """The selector names the product: the SBOM's subject, or the product under assessment."""
        found = select(selector, subject, sbom) if subject is not None and subject is not component else None
        if (found is None or found.undecided) and product is not None and _by_resolver(selector):
            by_product = csaf_selects(selector, product, (subject,) if subject is not None else ())
            if by_product is not None and (found is None or not by_product.undecided):
                found = by_product
        return found

    for index, statement in enumerate(statements):
        names = {statement.vulnerability.upper(), *(a.upper() for a in statement.aliases)}
        if not names & ids:
            continue
        options: list[tuple[str, Selected]] = []
        if statement.subcomponents:
            outer = [s for p in statement.products if (s := product_selection(p)) is not None]
            inner = [s for sub in statement.subcomponents if (s := select(sub, component, sbom)) is not None]
            if outer and inner:
                options.append(("component", _combined(_best(outer), _best(inner))))
        else:
            for selector in statement.products:
                direct = select(selector, component, sbom)
                if direct is not None:
                    options.append(("component", direct))
                via = product_selection(selector)
                if via is not None:
                    options.append(("product", via))
        decided = [(scope, s) for scope, s in options if _applies(s, statement.status)]
        if decided:
            scope, selected = max(decided, key=lambda o: (o[0] == "component", o[1].confidence.rank))
            candidates.append((index, statement, scope, selected))
        elif options:
            scope, selected = options[0]
            why = "a version range that needs review" if selected.undecided else "a heuristic match"
            review.append(
                f"{statement.source} {statement.location}: {statement.status.value} for "
                f"{statement.products[0].label} not applied ({why}: {selected.reason})"
            )
            reviewed.append(index)
    if not candidates:
        return Applied(None, (), (), tuple(review), tuple(reviewed))
    oldest = datetime.min.replace(tzinfo=UTC)

    def rank(item: tuple[int, VexStatement, str, Selected]) -> tuple[int, datetime, int]:
        _, statement, scope, _ = item
        stamp = statement.timestamp or oldest
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        # component-level first, then newest, then least favourable (fail closed)
        return (1 if scope == "component" else 0, stamp, -_UNFAVOURABLE[statement.status])

    ordered = sorted(candidates, key=rank, reverse=True)
    _, chosen, scope, selected = ordered[0]
    conflicts = tuple(
        f"{s.source or s.format} {s.location}: {s.status.value} ({sc})"
        for _, s, sc, _ in ordered[1:]
        if s.status is not chosen.status
    )
    if selected.how in ("bom-link", "purl", "cpe", "bom-ref"):
        shown_scope = scope
    elif selected.how == "csaf":
        shown_scope = f"{scope} (by vendor, name and version)"
    else:
        shown_scope = f"{scope} (by name and version)"
    application = VexApplication(
        status=chosen.status,
        justification=chosen.justification,
        source=chosen.source,
        location=chosen.location,
        format=chosen.format,
        scope=shown_scope,
        detail=chosen.impact or chosen.action,
        statement_vulnerability=chosen.vulnerability,
        confidence=selected.confidence.value if selected.how == "csaf" else None,
        match_reason=selected.reason if selected.how == "csaf" else None,
    )
    return Applied(application, conflicts, tuple(i for i, *_ in candidates), tuple(review), tuple(reviewed))


def _best(found: list[Selected]) -> Selected:
    """The strongest of several selections (decided before undecided, then by confidence)."""
    return max(found, key=lambda s: (not s.undecided, s.confidence.rank))


def _combined(outer: Selected, inner: Selected) -> Selected:
    """A product-plus-subcomponent selection: undecided if either is, the weaker confidence,
    both reasons."""
    if outer.how != "csaf" and inner.how != "csaf":
        return inner
    reasons = "; ".join(r for r in (outer.reason, inner.reason) if r)
    return Selected(
        "csaf",
        outer.confidence.weaker(inner.confidence),
        reasons or None,
        undecided=outer.undecided or inner.undecided,
    )
