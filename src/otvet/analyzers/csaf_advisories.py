"""CSAF analyzer: validate the bundle's advisories and find those that affect this product version.

Guide, Vulnerability Management: advisories "automatically retrievable according to the
Common Security Advisory Framework (CSAF)" (SBD-11.06), with CVE identifiers (SBD-11.09),
stating description, root cause, CWE, affected products, impact, severity and remediation
(SBD-11.11), and VEX statements following CSAF (SBD-11.12). Every advisory is validated
(schema and the CSAF 2.0 mandatory tests); its product tree is resolved against the product
under assessment, and each match carries its confidence (exact, parsed_range, heuristic,
needs_review), so a guessed match never reads as a fact.

Advisories imported into the knowledge base (``otvet db import csaf``, reached through
``AnalysisContext.knowledge``) are looked up for the product of the bundle manifest too; the
findings of both sources decide SBD-11.04 and SBD-11.10 when they show the assessed version
affected (``csaf_findings``, ADR 0047).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from otvet.analyzers.csaf_findings import (
    DELIVERY_CRITERION,
    REMEDIATION_CRITERION,
    affected_verdicts,
    bundle_findings,
    grace_days,
    knowledge_section,
    merge,
)
from otvet.analyzers.interface import AnalysisContext, result
from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.records import extract_advisory
from otvet.formats.csaf.resolver import resolve
from otvet.formats.csaf.validate import read_csaf, validate_document
from otvet.formats.sbom import read_sbom
from otvet.formats.security_txt import parse_security_txt
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
    Section,
    Status,
    Table,
)
from otvet.model.csaf import AdvisoryRecord, CsafValidation, MatchVerdict, ProductMatch
from otvet.safeio import read_text

_MAX_PROBLEMS_PER_FILE = 50


@dataclass(frozen=True)
class _Advisory:
    artifact: EvidenceArtifact
    validation: CsafValidation
    record: AdvisoryRecord
    matches: tuple[ProductMatch, ...]
    notes: dict[str, list[str]]
    """Note categories per vulnerability pointer."""


class CsafAnalyzer:
    """Validates CSAF advisories and VEX documents and matches them to the product."""

    id: ClassVar[str] = "csaf"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "CSAF advisories"
    criteria: ClassVar[tuple[str, ...]] = (
        "SBD-11.06",
        "SBD-11.09",
        "SBD-11.11",
        "SBD-11.12",
        DELIVERY_CRITERION,
        REMEDIATION_CRITERION,
    )

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        problems: list[Problem] = []
        advisories: list[_Advisory] = []
        providers: list[EvidenceArtifact] = []
        unreadable: list[str] = []
        components = _components(bundle, ctx)
        for artifact in bundle.of_kind(ArtifactKind.CSAF):
            try:
                doc = read_csaf(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError as exc:
                where = exc.location.where if exc.location else None
                problems.append(Problem(artifact.path, exc.message, where, source=self.id))
                unreadable.append(artifact.path)
                continue
            if isinstance(doc, dict) and "document" not in doc and "canonical_url" in doc:
                providers.append(artifact)
                continue
            validation = validate_document(doc, artifact.path, optional=False)
            for issue in validation.errors[:_MAX_PROBLEMS_PER_FILE]:
                problems.append(
                    Problem(
                        artifact.path,
                        f"[CSAF {issue.test_id}] {issue.message}",
                        issue.pointer or "/",
                        source=self.id,
                    )
                )
            if len(validation.errors) > _MAX_PROBLEMS_PER_FILE:
                problems.append(
                    Problem(
                        artifact.path,
                        f"{len(validation.errors) - _MAX_PROBLEMS_PER_FILE} further CSAF errors not listed",
                        source=self.id,
                    )
                )
            matches = tuple(resolve(resolve_products(doc), bundle.product, components))
            record = extract_advisory(doc, artifact.path)
            advisories.append(_Advisory(artifact, validation, record, matches, note_categories(doc)))
        knowledge = ctx.knowledge
        stored = (
            knowledge.advisories(bundle.product, components, now=ctx.now)
            if knowledge is not None and knowledge.has_advisories()
            else None
        )
        if not advisories and not unreadable and stored is None:
            return AnalyzerOutput(problems=tuple(problems))
        results: list[CriterionResult] = []
        sections: list[Section] = []
        if advisories or unreadable:
            results.extend(self._verdicts(bundle, ctx, advisories, providers, unreadable))
            sections.append(_section(bundle, advisories, self.id))
        kev = (
            knowledge.known_exploited(c for a in advisories for c in a.record.cves)
            if knowledge is not None
            else frozenset()
        )
        own = [
            f
            for a in advisories
            for f in bundle_findings(a.artifact, a.record, a.matches, valid=a.validation.valid, kev=kev)
        ]
        findings = merge(own, stored.findings if stored is not None else ())
        grace, option_problems = grace_days(ctx.options)
        problems.extend(option_problems)
        results.extend(
            affected_verdicts(
                findings, now=ctx.now, grace_days=grace, product=bundle.product.label, analyzer=self.id
            )
        )
        if stored is not None:
            kept = [f for f in findings if f.origin == "knowledge base"]
            sections.append(knowledge_section(stored, kept, self.id))
            problems.extend(stored.problems)
        return AnalyzerOutput(
            results=tuple(results),
            sections=tuple(sections),
            problems=tuple(problems),
            data_sets=stored.data_sets if stored is not None else (),
        )

    def _verdicts(
        self,
        bundle: EvidenceBundle,
        ctx: AnalysisContext,
        advisories: list[_Advisory],
        providers: list[EvidenceArtifact],
        unreadable: list[str],
    ) -> list[CriterionResult]:
        refs = tuple(EvidenceRef.to(a.artifact) for a in advisories)
        valid = [a for a in advisories if a.validation.valid]
        invalid = [a for a in advisories if not a.validation.valid]
        out: list[CriterionResult] = []
        # SBD-11.06: machine-readable CSAF advisories, automatically retrievable.
        if not advisories:
            out.append(
                result(
                    "SBD-11.06",
                    Status.NOT_EVIDENCED,
                    Basis.NONE,
                    f"The CSAF documents could not be read: {', '.join(unreadable)}.",
                    self.id,
                )
            )
        elif invalid and not valid:
            out.append(
                result(
                    "SBD-11.06",
                    Status.NOT_MET,
                    Basis.VERIFIED,
                    f"None of the {len(advisories)} CSAF documents is valid CSAF 2.0 ({_first_error(invalid[0])}).",
                    self.id,
                    refs,
                )
            )
        else:
            announced = _announced_provider(bundle, ctx)
            counts = f"{len(valid)} of {len(advisories)} CSAF documents are valid (schema and CSAF 2.0 mandatory tests)"
            if providers:
                out.append(
                    result(
                        "SBD-11.06",
                        Status.MET,
                        Basis.VERIFIED,
                        f"{counts}; provider metadata {providers[0].path} is in the bundle.",
                        self.id,
                        refs,
                    )
                )
            elif announced:
                out.append(
                    result(
                        "SBD-11.06",
                        Status.MET if not invalid else Status.PARTIALLY_MET,
                        Basis.VERIFIED,
                        f"{counts}; security.txt announces CSAF provider metadata at {announced} (CSAF 2.0 section 7.1.8; not fetched, otvet works offline).",
                        self.id,
                        refs,
                    )
                )
            else:
                out.append(
                    result(
                        "SBD-11.06",
                        Status.PARTIALLY_MET,
                        Basis.VERIFIED,
                        f"{counts}, but nothing shows they are automatically retrievable: no provider-metadata.json in the bundle and no CSAF field in security.txt.",
                        self.id,
                        refs,
                    )
                )
        vulns = [(a, v) for a in advisories for v in a.record.vulnerabilities]
        # SBD-11.09: CVE identifiers.
        if vulns:
            with_cve = sum(1 for _, v in vulns if v.cve)
            status = (
                Status.MET if with_cve == len(vulns) else Status.PARTIALLY_MET if with_cve else Status.NOT_MET
            )
            cves = sorted({v.cve for _, v in vulns if v.cve})
            out.append(
                result(
                    "SBD-11.09",
                    status,
                    Basis.VERIFIED,
                    f"{with_cve} of {len(vulns)} vulnerabilities in the CSAF documents carry a CVE identifier ({', '.join(cves[:8]) or 'none'}).",
                    self.id,
                    refs,
                )
            )
        # SBD-11.11: advisory content.
        security = [(a, v) for a, v in vulns if a.record.category == "csaf_security_advisory"]
        if security:
            gaps: list[str] = []
            for a, v in security:
                raw_missing = _missing_content(a, v)
                if raw_missing:
                    gaps.append(
                        f"{a.record.advisory_id} {v.cve or v.title or v.location}: no {', '.join(raw_missing)}"
                    )
            status = Status.MET if not gaps else Status.PARTIALLY_MET
            rationale = (
                f"All {len(security)} vulnerabilities in security advisories state a description, root cause, CWE, affected products, impact/CVSS and remediation."
                if not gaps
                else f"{len(gaps)} of {len(security)} vulnerabilities lack content: {'; '.join(gaps[:4])}."
            )
            out.append(result("SBD-11.11", status, Basis.VERIFIED, rationale, self.id, refs))
        # SBD-11.12: VEX in CSAF.
        vex = [a for a in advisories if a.record.category == "csaf_vex"]
        if vex:
            good = [a for a in vex if a.validation.valid]
            statuses = sorted({s.status for a in vex for v in a.record.vulnerabilities for s in v.statuses})
            out.append(
                result(
                    "SBD-11.12",
                    Status.MET if good else Status.NOT_MET,
                    Basis.VERIFIED,
                    f"{len(good)} of {len(vex)} CSAF VEX documents are valid (profile csaf_vex, tests 6.1.27.7-6.1.27.10); statuses used: {', '.join(statuses) or 'none'}.",
                    self.id,
                    tuple(EvidenceRef.to(a.artifact) for a in vex),
                )
            )
        return out


def _first_error(advisory: _Advisory) -> str:
    errors = advisory.validation.errors
    return str(errors[0]) if errors else "no error recorded"


def _missing_content(advisory: _Advisory, vuln: Any) -> list[str]:
    missing = []
    raw_notes = set(advisory.notes.get(vuln.location, ()))
    if "description" not in raw_notes and "summary" not in raw_notes:
        missing.append("description")
    if "details" not in raw_notes:
        missing.append("root cause (details note)")
    if vuln.cwe is None:
        missing.append("CWE")
    if not vuln.statuses:
        missing.append("affected products")
    if not vuln.scores:
        missing.append("CVSS")
    affected = any(s.vex_status.value == "affected" for s in vuln.statuses)
    if affected and not vuln.remediations:
        missing.append("remediation")
    return missing


def _components(bundle: EvidenceBundle, ctx: AnalysisContext) -> list[Component]:
    found: list[Component] = []
    for artifact in bundle.of_kind(ArtifactKind.SBOM):
        try:
            found.extend(
                read_sbom(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits).components
            )
        except InputError:
            continue  # the SBOM analyzers report unreadable SBOMs; here they only add identifiers
    return found


def _announced_provider(bundle: EvidenceBundle, ctx: AnalysisContext) -> str | None:
    for artifact in bundle.of_kind(ArtifactKind.SECURITY_TXT):
        try:
            text = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
        except InputError:
            continue
        values = parse_security_txt(text, now=ctx.now).values("CSAF")
        if values:
            return values[0]
    return None


def _fix(advisory: AdvisoryRecord, vuln: Any, pid: str) -> str:
    parts = []
    for rem in vuln.remediations:
        if pid in rem.product_ids:
            label = {"vendor_fix": "fix", "mitigation": "mitigation", "workaround": "workaround"}.get(
                rem.category, rem.category
            )
            parts.append(f"{label}: {rem.details}")
    return " | ".join(parts) or "none stated"


def _section(bundle: EvidenceBundle, advisories: list[_Advisory], analyzer: str) -> Section:
    rows: list[tuple[str, ...]] = []
    data_rows: list[dict[str, Any]] = []
    for a in advisories:
        by_id = {m.product.product_id: m for m in a.matches if m.verdict is not MatchVerdict.NO_MATCH}
        for vuln in a.record.vulnerabilities:
            for status in vuln.statuses:
                match = by_id.get(status.product.product_id)
                if match is None:
                    continue
                fix = (
                    _fix(a.record, vuln, status.product.product_id)
                    if status.vex_status.value == "affected"
                    else "-"
                )
                verdict = "applies" if match.verdict is MatchVerdict.MATCH else "needs review"
                rows.append(
                    (
                        a.record.advisory_id,
                        vuln.cve or (vuln.ids[0][1] if vuln.ids else "-"),
                        status.status,
                        fix,
                        f"{match.confidence.value} ({verdict})",
                        status.product.name,
                    )
                )
                data_rows.append(
                    {
                        "advisory": a.record.advisory_id,
                        "file": a.artifact.path,
                        "cve": vuln.cve,
                        "status": status.status,
                        "product_id": status.product.product_id,
                        "product": status.product.name,
                        "verdict": match.verdict.value,
                        "confidence": match.confidence.value,
                        "reason": match.reason,
                        "fix_or_mitigation": fix,
                    }
                )
    validity = tuple(
        (
            a.artifact.path,
            a.record.advisory_id,
            a.record.category,
            "valid" if a.validation.valid else f"invalid ({len(a.validation.errors)} errors)",
            str(len(a.record.vulnerabilities)),
        )
        for a in advisories
    )
    affected = sum(
        1
        for r in data_rows
        if r["status"] in ("known_affected", "first_affected", "last_affected") and r["verdict"] == "match"
    )
    summary = (
        f"{len(advisories)} CSAF document(s) in the bundle; {len(rows)} statement(s) concern {bundle.product.label}"
        f" ({affected} affected)."
    )
    return Section(
        id="csaf-advisories",
        title="Vendor advisories affecting this version",
        analyzer=analyzer,
        summary=summary,
        tables=(
            Table(
                caption=f"Advisory statements that apply to {bundle.product.label}",
                columns=(
                    "Advisory",
                    "CVE",
                    "Status",
                    "Fix or mitigation",
                    "Match confidence",
                    "Advisory product",
                ),
                rows=tuple(rows),
                note="Match confidence: exact (identical version or identifier), parsed_range (a range read completely), heuristic (an assumption, see the JSON report), needs_review (not evaluated).",
            ),
            Table(
                caption="CSAF documents",
                columns=("File", "Id", "Category", "Validation", "Vulnerabilities"),
                rows=validity,
            ),
        ),
        data={"statements": data_rows},
    )


def note_categories(doc: Any) -> dict[str, list[str]]:
    """Note categories per vulnerability pointer (for the content check of SBD-11.11)."""
    out: dict[str, list[str]] = {}
    vulns = doc.get("vulnerabilities") if isinstance(doc, dict) else None
    for index, vuln in enumerate(vulns if isinstance(vulns, list) else []):
        notes = vuln.get("notes") if isinstance(vuln, dict) else None
        out[f"/vulnerabilities/{index}"] = [
            str(n.get("category")) for n in (notes if isinstance(notes, list) else []) if isinstance(n, dict)
        ]
    return out
