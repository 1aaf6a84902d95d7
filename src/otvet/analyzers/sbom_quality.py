"""SBOM quality analyzer: reads every SBOM of a bundle and judges it against NTIA and BSI.

For each SBOM it measures the NTIA minimum elements (supplier, name, version, other unique
identifiers, dependency relationship, author of SBOM data, timestamp; NTIA, "The Minimum
Elements For a Software Bill of Materials", 2021) and the BSI TR-03183-2 fields (creator
and timestamp of the SBOM; component creator, name, version, filename, dependencies,
licence, hash of the deployable component, unique identifiers; v2.1.0 section 5.2), and
lists unkeyed components, dangling dependency references and duplicate identifiers.

Verdicts (thresholds in ``docs/sbom.md``), all with basis ``verified``:

- SBD-11.01 (guide, Vulnerability Management: "Has the manufacturer drawn up a software
  bill of materials?"): the best software SBOM's name, version and supplier coverage.
- SBD-11.02 ("a software bill of materials in a commonly used and machine-readable
  format"): a CycloneDX/SPDX SBOM that we could read, whose subject is the product and
  version under assessment.
- SBD-11.03 ("hardware and software bill of materials with product delivery"): hardware
  entries (CycloneDX ``device``) with manufacturer/supplier and revision.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, not_evidenced, result
from otvet.formats.sbom import parse_sbom
from otvet.formats.sbom.conformance import check_conformance
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    Component,
    CriterionResult,
    EvidenceArtifact,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    ProductIdentity,
    SbomDocument,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.model.sbom import DocumentCheck, FieldCoverage, SbomQuality
from otvet.model.serialize import to_jsonable
from otvet.safeio import read_bytes

NTIA = "NTIA"
BSI = "BSI TR-03183-2"

INCLUSION = {
    # CycloneDX
    "dependson",
    "provides",
    # SPDX 2.3 section 11.1 (inverse types are stored turned around by the readers)
    "contains",
    "containedby",
    "staticlink",
    "dynamiclink",
    "hasprerequisite",
    "prerequisitefor",
    "dependencyof",
    "builddependencyof",
    "devdependencyof",
    "optionaldependencyof",
    "provideddependencyof",
    "testdependencyof",
    "runtimedependencyof",
    "packageof",
    # SPDX 3.0 RelationshipType
    "hasstaticlink",
    "hasdynamiclink",
    "hasoptionaldependency",
    "hasprovideddependency",
    "hasoptionalcomponent",
}
HARDWARE_TYPES = {"device"}

# Thresholds (docs/sbom.md, "Verdicts").
MET_SHARE = 0.95
"""Share of components that must carry name and version for SBD-11.01 met."""
SUPPLIER_MET_SHARE = 0.90
"""Share of components that must name their supplier for SBD-11.01 met."""
HARDWARE_MET_SHARE = 0.90
"""Share of hardware entries that must name manufacturer/supplier and revision for SBD-11.03 met."""
LISTED = 50
"""Entries listed per table (the JSON report carries all of them)."""


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _norm_version(text: str) -> str:
    return text.strip().casefold().removeprefix("v")


def _share(have: int, total: int) -> str:
    return f"{have}/{total} ({have / total:.0%})" if total else "0/0"


def kind_key(kind: str) -> str:
    """Relationship type in comparable form: ``DEPENDS_ON`` / ``dependsOn`` → ``dependson``."""
    return kind.replace("_", "").replace("-", "").casefold()


def product_match(doc: SbomDocument, product: ProductIdentity | None) -> tuple[str, str]:
    """Whether the SBOM's subject is the product and version under assessment, and why."""
    subject = doc.subject
    if product is None or not product.product or product.product == "unknown product":
        return "no product", "the bundle names no product to compare with"
    if subject is None:
        return (
            "no subject",
            "the SBOM does not say what it describes (no metadata component / described package)",
        )
    names = {_norm(product.product), *(_norm(m) for m in product.model_numbers)}
    names.discard("")
    subject_name = _norm(subject.name)
    name_ok = bool(subject_name) and any(n in subject_name or subject_name in n for n in names)
    if not name_ok:
        return "name mismatch", f"the SBOM describes {subject.label!r}, not {product.product!r}"
    if not subject.version:
        return (
            "version missing",
            f"the SBOM's subject {subject.name!r} carries no version (product version {product.version})",
        )
    if product.version and _norm_version(subject.version) != _norm_version(product.version):
        return (
            "version mismatch",
            f"the SBOM describes {subject.name} {subject.version}, the product under assessment is version {product.version}",
        )
    return "match", f"the SBOM describes {subject.name} {subject.version}"


def assess_quality(doc: SbomDocument, product: ProductIdentity | None = None) -> SbomQuality:
    """Measure an SBOM against the NTIA minimum elements and BSI TR-03183-2."""
    components = doc.components
    total = len(components)
    edges = [d for d in doc.dependencies if kind_key(d.kind) in INCLUSION]
    related: set[str] = set()
    for edge in edges:
        related.add(edge.ref)
        related.update(edge.depends_on)
    nested_parents = {c.parent for c in components if c.parent}

    def in_graph(c: Component) -> bool:
        return c.ref in related or c.parent is not None or c.ref in nested_parents

    def has_sha512(c: Component) -> bool:
        return any(h.algorithm == "SHA-512" for h in c.hashes) or any(
            alg.upper() in ("SHA-512", "SHA512") for ref in c.external_refs for alg, _ in ref.hashes
        )

    rows: list[tuple[str, tuple[str, ...], int, str]] = [
        ("name", (NTIA, BSI), sum(1 for c in components if c.name.strip()), ""),
        ("version", (NTIA, BSI), sum(1 for c in components if c.version and c.version.strip()), ""),
        ("supplier", (NTIA,), sum(1 for c in components if c.supplier or c.supplier_contact), ""),
        (
            "component creator (e-mail or URL)",
            (BSI,),
            sum(1 for c in components if c.creator_contact),
            "CycloneDX manufacturer/authors, SPDX originator",
        ),
        (
            "unique identifier (purl, CPE or SWID)",
            (NTIA, BSI),
            sum(1 for c in components if c.purl or c.cpes or c.other_ids),
            "",
        ),
        ("purl", (), sum(1 for c in components if c.purl), "needed to match vulnerability databases"),
        ("CPE", (), sum(1 for c in components if c.cpes), "needed to match NVD records"),
        (
            "dependency relationship",
            (NTIA, BSI),
            sum(1 for c in components if in_graph(c)),
            "in the dependency graph",
        ),
        ("licence", (BSI,), sum(1 for c in components if c.licenses), ""),
        ("hash (any algorithm)", (BSI,), sum(1 for c in components if c.hashes), ""),
        (
            "SHA-512 hash",
            (BSI,),
            sum(1 for c in components if has_sha512(c)),
            "BSI asks for SHA-512 of the deployable form",
        ),
        ("filename", (BSI,), sum(1 for c in components if c.filename), "BSI: where known"),
    ]
    coverage = tuple(
        FieldCoverage(name, have, total, frameworks, note) for name, frameworks, have, note in rows
    )

    authors = ", ".join(doc.authors)
    spec = doc.spec_version
    bsi_format = (doc.format == "CycloneDX" and _version_at_least(spec, (1, 6))) or (
        doc.format == "SPDX" and _version_at_least(spec, (3, 0, 1))
    )
    document = (
        DocumentCheck("author of the SBOM data", bool(doc.authors), authors or "not stated", (NTIA,)),
        DocumentCheck(
            "SBOM creator contact (e-mail or URL)",
            bool(doc.author_contacts),
            ", ".join(doc.author_contacts) or "not stated",
            (BSI,),
        ),
        DocumentCheck(
            "timestamp",
            doc.created is not None,
            doc.created.isoformat() if doc.created else "not stated",
            (NTIA, BSI),
        ),
        DocumentCheck("SBOM URI / serial number", bool(doc.serial), doc.serial or "not stated", (BSI,)),
        DocumentCheck(
            "subject (what the SBOM describes)",
            doc.subject is not None,
            doc.subject.label if doc.subject else "not stated",
            (NTIA,),
        ),
        DocumentCheck(
            "dependency relationships",
            bool(edges) or bool(nested_parents),
            f"{len(edges)} relationship entries"
            + (f", {len(nested_parents)} nesting parents" if nested_parents else ""),
            (NTIA, BSI),
        ),
        DocumentCheck(
            "completeness declared", doc.completeness is not None, doc.completeness or "not stated", (BSI,)
        ),
        DocumentCheck(
            "format version (CycloneDX ≥ 1.6 or SPDX ≥ 3.0.1)",
            bsi_format,
            f"{doc.format} {spec}",
            (BSI,),
        ),
        DocumentCheck("tools", bool(doc.tools), ", ".join(doc.tools) or "not stated", ()),
    )

    known = {c.ref for c in components} | {f.ref for f in doc.files} | {s.ref for s in doc.services}
    if doc.subject is not None:
        known.add(doc.subject.ref)
    if doc.serial:
        known.add(doc.serial)
    checked = edges if doc.encoding == "json-ld" else doc.dependencies
    dangling: list[str] = []
    for edge in checked:
        for end in (edge.ref, *edge.depends_on):
            if end not in known and not _external(end, doc):
                dangling.append(f"{edge.ref} -> {end}" if end != edge.ref else f"{edge.ref} (source)")
    ref_counts = Counter(c.ref for c in components)
    if doc.subject is not None and doc.format == "CycloneDX":
        ref_counts[doc.subject.ref] += 1
    purl_counts = Counter(c.purl for c in components if c.purl)
    match, note = product_match(doc, product)
    hardware = sum(1 for c in components if (c.type or "").casefold() in HARDWARE_TYPES)
    if (
        doc.subject is not None
        and (doc.subject.type or "").casefold() in HARDWARE_TYPES
        and doc.format == "CycloneDX"
    ):
        hardware += 1
    return SbomQuality(
        path=doc.path,
        format=f"{doc.format} {doc.spec_version} {doc.encoding}".strip(),
        components=total,
        files=len(doc.files),
        document=document,
        coverage=coverage,
        unkeyed=tuple(c.label or c.location for c in components if not c.keyed),
        dangling=tuple(dict.fromkeys(dangling)),
        duplicate_refs=tuple(sorted(r for r, n in ref_counts.items() if n > 1)),
        duplicate_purls=tuple(sorted(p for p, n in purl_counts.items() if n > 1)),
        subject=f"{doc.subject.name} {doc.subject.version or ''}".strip() if doc.subject else None,
        product_match=match,
        product_note=note,
        hardware=hardware,
        problems=doc.problems,
    )


def _external(ref: str, doc: SbomDocument) -> bool:
    """References into other documents are not dangling (SPDX 2 ``DocumentRef-``, CycloneDX BOM-Link)."""
    return ref.startswith(("DocumentRef-", "urn:cdx:")) or (
        doc.format == "SPDX" and ref == "SPDXRef-DOCUMENT"
    )


def _version_at_least(spec: str, minimum: tuple[int, ...]) -> bool:
    try:
        parts = tuple(int(p) for p in spec.split("."))
    except ValueError:
        return False
    return parts >= minimum


@dataclass(frozen=True)
class _Read:
    artifact: EvidenceArtifact
    doc: SbomDocument
    quality: SbomQuality

    @property
    def software(self) -> int:
        return self.quality.components - self.quality.hardware

    def coverage(self, name: str) -> FieldCoverage:
        return next(c for c in self.quality.coverage if c.field == name)

    def ref(self) -> EvidenceRef:
        return EvidenceRef.to(self.artifact, note=self.quality.format)


class SbomQualityAnalyzer:
    """Judges SBOMs against the NTIA minimum elements and BSI TR-03183-2."""

    id: ClassVar[str] = "sbom_quality"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "SBOM quality"
    criteria: ClassVar[tuple[str, ...]] = ("SBD-11.01", "SBD-11.02", "SBD-11.03")

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        artifacts = bundle.of_kind(ArtifactKind.SBOM)
        if not artifacts:
            return AnalyzerOutput()
        read: list[_Read] = []
        problems: list[Problem] = []
        failed: list[tuple[EvidenceArtifact, str]] = []
        for artifact in artifacts:
            try:
                data = read_bytes(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
                doc = parse_sbom(data, artifact.path, limits=ctx.limits)
            except InputError as exc:
                where = exc.location.where if exc.location else None
                problems.append(Problem(path=artifact.path, where=where, message=exc.message, source=self.id))
                failed.append((artifact, exc.message))
                continue
            conformance = check_conformance(data, doc)
            problems.extend(doc.problems)
            problems.extend(conformance)
            quality = assess_quality(doc, bundle.product)
            read.append(_Read(artifact, doc, quality))
            # A hardware BOM describes a board or module of the product, not the product itself.
            only_hardware = quality.hardware > 0 and quality.hardware >= quality.components
            if not only_hardware and quality.product_match in (
                "version mismatch",
                "name mismatch",
                "version missing",
            ):
                problems.append(
                    Problem(
                        path=artifact.path,
                        severity=Severity.WARNING,
                        message=f"SBOM subject does not match the product under assessment: {quality.product_note}",
                        source=self.id,
                    )
                )
        results = self._verdicts(read, failed, bundle)
        sections = (_section(read, failed, bundle),)
        return AnalyzerOutput(results=tuple(results), sections=sections, problems=tuple(problems))

    def _verdicts(
        self, read: Sequence[_Read], failed: Sequence[tuple[EvidenceArtifact, str]], bundle: EvidenceBundle
    ) -> list[CriterionResult]:
        failed_refs = tuple(EvidenceRef.to(a, note=reason) for a, reason in failed)
        if not read:
            reasons = "; ".join(f"{a.path}: {reason}" for a, reason in failed)
            return list(
                not_evidenced(
                    list(self.criteria),
                    f"No SBOM in the bundle could be read ({reasons}).",
                    self.id,
                    failed_refs,
                )
            )
        software = [r for r in read if r.software > 0 or r.quality.hardware == 0]
        hardware = [r for r in read if r.quality.hardware > 0]
        results = [self._sbom_provided(software, failed), self._machine_readable(software, bundle)]
        results.append(self._hardware(hardware, read))
        return results

    def _sbom_provided(
        self, software: Sequence[_Read], failed: Sequence[tuple[EvidenceArtifact, str]]
    ) -> CriterionResult:
        cid = "SBD-11.01"
        if not software:
            return result(
                cid,
                Status.NOT_EVIDENCED,
                Basis.NONE,
                "The SBOMs in the bundle list only hardware; no software bill of materials was found.",
                self.id,
            )
        graded = []
        for r in software:
            name, version, supplier = (r.coverage(f) for f in ("name", "version", "supplier"))
            total = r.quality.components
            if total == 0:
                status = Status.NOT_MET
            elif (
                name.share >= MET_SHARE
                and version.share >= MET_SHARE
                and supplier.share >= SUPPLIER_MET_SHARE
            ):
                status = Status.MET
            else:
                status = Status.PARTIALLY_MET
            text = (
                f"{r.artifact.path} ({r.quality.format}) lists {total} components: "
                f"version on {_share(version.have, total)}, supplier on {_share(supplier.have, total)}, "
                f"name on {_share(name.have, total)}; {len(r.quality.unkeyed)} have neither purl nor CPE"
            )
            graded.append((status.credit, status, text, r))
        graded.sort(key=lambda g: -g[0])
        _, status, text, _best = graded[0]
        if status is Status.NOT_MET:
            text += "; an SBOM without components does not list the product's software"
        elif status is Status.PARTIALLY_MET:
            text += f" (met needs version and name on ≥ {MET_SHARE:.0%} and supplier on ≥ {SUPPLIER_MET_SHARE:.0%} of components)"
        if len(graded) > 1:
            text += f". {len(graded) - 1} further software SBOM(s) in the bundle"
        if failed:
            text += f". {len(failed)} SBOM file(s) could not be read"
        return result(cid, status, Basis.VERIFIED, text + ".", self.id, tuple(r.ref() for r in software))

    def _machine_readable(self, software: Sequence[_Read], bundle: EvidenceBundle) -> CriterionResult:
        cid = "SBD-11.02"
        if not software:
            return result(cid, Status.NOT_EVIDENCED, Basis.NONE, "No software SBOM in the bundle.", self.id)
        order = {
            "match": 0,
            "version mismatch": 1,
            "version missing": 1,
            "no subject": 2,
            "no product": 2,
            "name mismatch": 3,
        }
        best = min(software, key=lambda r: (order[r.quality.product_match], _errors(r.doc)))
        errors = _errors(best.doc)
        match = best.quality.product_match
        base = f"{best.artifact.path} is {best.quality.format}, read by otvet with {errors} reading error(s); {best.quality.product_note}"
        if match == "match" and errors == 0:
            status = Status.MET
            text = base + f", which matches the product under assessment ({bundle.product.label})"
        elif match == "name mismatch":
            status = Status.NOT_MET
            text = base + "; no SBOM in the bundle covers the product under assessment"
        else:
            status = Status.PARTIALLY_MET
            reasons = []
            if match != "match":
                reasons.append("it is not shown to cover the delivered version")
            if errors:
                reasons.append("parts of it could not be read")
            text = base + "; machine-readable, but " + " and ".join(reasons)
        text += ". Whether an SBOM ships with every release cannot be seen in one bundle."
        return result(cid, status, Basis.VERIFIED, text, self.id, (best.ref(),))

    def _hardware(self, hardware: Sequence[_Read], read: Sequence[_Read]) -> CriterionResult:
        cid = "SBD-11.03"
        if not hardware:
            return result(
                cid,
                Status.NOT_EVIDENCED,
                Basis.NONE,
                f"None of the {len(read)} SBOM(s) lists hardware (CycloneDX component type 'device'); "
                "a hardware bill of materials may exist in another form.",
                self.id,
                tuple(r.ref() for r in read),
            )
        best: tuple[Status, str, _Read] | None = None
        for r in hardware:
            devices = [c for c in r.doc.components if (c.type or "").casefold() in HARDWARE_TYPES]
            if r.doc.subject is not None and (r.doc.subject.type or "").casefold() in HARDWARE_TYPES:
                devices.append(r.doc.subject)
            maker = sum(1 for c in devices if c.author or c.supplier)
            revision = sum(1 for c in devices if c.version)
            total = len(devices)
            ok = total and maker / total >= HARDWARE_MET_SHARE and revision / total >= HARDWARE_MET_SHARE
            status = Status.MET if ok else Status.PARTIALLY_MET
            text = (
                f"{r.artifact.path} ({r.quality.format}) lists {total} hardware entries: "
                f"manufacturer or supplier on {_share(maker, total)}, revision on {_share(revision, total)}"
            )
            if status is Status.PARTIALLY_MET:
                text += f" (met needs both on ≥ {HARDWARE_MET_SHARE:.0%})"
            if best is None or status.credit > best[0].credit:
                best = (status, text, r)
        assert best is not None  # noqa: S101  # hardware is not empty
        status, text, r = best
        return result(cid, status, Basis.VERIFIED, text + ".", self.id, (r.ref(),))


def _errors(doc: SbomDocument) -> int:
    return sum(1 for p in doc.problems if p.severity is Severity.ERROR)


def _listed(values: Sequence[str]) -> str:
    shown = ", ".join(values[:LISTED])
    return shown + (f" … and {len(values) - LISTED} more" if len(values) > LISTED else "")


def quality_tables(q: SbomQuality) -> tuple[Table, ...]:
    """Report tables for one SBOM (shared by the assessment report and ``otvet sbom inspect``)."""
    coverage = Table(
        caption=f"{q.path}: field coverage ({q.components} components)",
        columns=("Field", "Asked for by", "Components carrying it", "Share"),
        rows=tuple(
            (
                c.field + (f" ({c.note})" if c.note else ""),
                ", ".join(c.frameworks) or "-",
                f"{c.have}/{c.total}",
                f"{c.share:.0%}",
            )
            for c in q.coverage
        ),
        note="NTIA minimum elements (2021) and BSI TR-03183-2 component fields; thresholds in docs/sbom.md.",
    )
    product_row = (
        "covers the product under assessment",
        "otvet",
        "yes" if q.product_match == "match" else "no",
        q.product_note,
    )
    document = Table(
        caption=f"{q.path}: document",
        columns=("Requirement", "Asked for by", "Present", "Value"),
        rows=(
            *(
                (d.field, ", ".join(d.frameworks) or "-", "yes" if d.present else "no", d.value)
                for d in q.document
            ),
            product_row,
        ),
    )
    findings = Table(
        caption=f"{q.path}: structural findings",
        columns=("Finding", "Count", "Entries"),
        rows=(
            (
                "components without purl or CPE (cannot be matched to vulnerabilities)",
                str(len(q.unkeyed)),
                _listed(q.unkeyed),
            ),
            ("dangling dependency references", str(len(q.dangling)), _listed(q.dangling)),
            (
                "identifiers given to more than one entry",
                str(len(q.duplicate_refs)),
                _listed(q.duplicate_refs),
            ),
            ("purls given to more than one entry", str(len(q.duplicate_purls)), _listed(q.duplicate_purls)),
            ("reading problems", str(len(q.problems)), _listed([str(p) for p in q.problems])),
        ),
        note="Every entry is kept as its own component: duplicates are reported, never merged.",
    )
    return coverage, document, findings


def _section(
    read: Sequence[_Read], failed: Sequence[tuple[EvidenceArtifact, str]], bundle: EvidenceBundle
) -> Section:
    overview = Table(
        caption="SBOMs in the bundle",
        columns=(
            "File",
            "Format",
            "Components",
            "Hardware",
            "Subject",
            "Covers the product",
            "Unkeyed",
            "Problems",
        ),
        rows=tuple(
            (
                r.artifact.path,
                r.quality.format,
                str(r.quality.components) + (f" (+{r.quality.files} files)" if r.quality.files else ""),
                str(r.quality.hardware),
                r.quality.subject or "-",
                r.quality.product_match,
                str(len(r.quality.unkeyed)),
                str(len(r.doc.problems)),
            )
            for r in read
        )
        + tuple((a.path, "unreadable", "-", "-", "-", "-", "-", reason) for a, reason in failed),
    )
    tables = [overview]
    for r in read:
        tables.extend(quality_tables(r.quality))
    summary = (
        f"{len(read)} SBOM(s) read for {bundle.product.label}"
        + (f", {len(failed)} unreadable" if failed else "")
        + ". Coverage of the NTIA minimum elements and BSI TR-03183-2 fields, per SBOM."
    )
    return Section(
        id="sbom-quality",
        title="SBOM quality",
        analyzer=SbomQualityAnalyzer.id,
        summary=summary,
        tables=tuple(tables),
        data={
            "sboms": [to_jsonable(r.quality) for r in read],
            "unreadable": [{"path": a.path, "reason": m} for a, m in failed],
        },
    )
