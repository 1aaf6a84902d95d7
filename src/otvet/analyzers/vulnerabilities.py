"""Vulnerability analyzer: the bundle's SBOMs matched against the offline knowledge base.

Decides, with basis ``verified``:

- **SBD-11.04** "No known exploitable vulnerabilities at delivery" (guide, Vulnerability
  Management: "products are rigorously tested to help ensure they contain no known
  exploitable vulnerabilities"):

  * ``not_met`` when a vulnerability listed in the CISA KEV catalog matches a component and
    no VEX statement of the bundle says ``not_affected`` or ``fixed`` for that
    (vulnerability, component);
  * ``partially_met`` when a critical or high vulnerability is open (no not_affected/fixed
    statement), when some components could not be checked (no purl or CPE), or when the KEV
    catalog has not been imported (exploitation status unknown);
  * ``met`` otherwise: every component was checked and nothing critical, high or
    KEV-listed is open;
  * ``not_evidenced`` when no vulnerability data is imported or no SBOM could be read.

- **SBD-11.19** "Monitoring of vulnerabilities in third-party components" (ADR 0032): the
  share of known vulnerabilities of the SBOM's components, public before the bundle's newest
  SBOM or VEX document, that the vendor's VEX statements address. All addressed: ``met``;
  some: ``partially_met``; none: ``not_met``. No such vulnerability: no verdict (nothing shows
  either way).

Data sets and their age go into ``AnalyzerOutput.data_sets``; data older than the option
``max_data_age_days`` (default 30) is a warning.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, not_evidenced, result
from otvet.formats.sbom import read_sbom
from otvet.formats.vex import read_vex_document
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    CriterionResult,
    DataSetRef,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    SbomDocument,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.model.vex import VexStatement, VexStatus
from otvet.model.vulnerabilities import MatchReport, SeverityRating, VulnerabilityMatch
from otvet.safeio import load_json

KEV_CRITERION = "SBD-11.04"
MONITORING_CRITERION = "SBD-11.19"
DEFAULT_MAX_AGE_DAYS = 30.0
NO_DATA = "no vulnerability data imported (otvet db import osv|nvd PATH, then kev and epss)"


class VulnerabilityAnalyzer:
    """Matches SBOM components against imported OSV/NVD/KEV/EPSS data and applies VEX."""

    id: ClassVar[str] = "vulnerabilities"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Known vulnerabilities"
    criteria: ClassVar[tuple[str, ...]] = (KEV_CRITERION, MONITORING_CRITERION)

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        sbom_artifacts = bundle.of_kind(ArtifactKind.SBOM)
        if not sbom_artifacts:
            return AnalyzerOutput()  # no SBOM: the orchestrator reports "no evidence"
        refs = tuple(EvidenceRef.to(a) for a in sbom_artifacts)
        knowledge = ctx.knowledge
        if knowledge is None or not knowledge.has_data():
            return AnalyzerOutput(results=not_evidenced([KEV_CRITERION], NO_DATA, self.id, refs))
        problems: list[Problem] = []
        sboms: list[tuple[SbomDocument, EvidenceRef]] = []
        for artifact in sbom_artifacts:
            try:
                sboms.append(
                    (
                        read_sbom(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits),
                        EvidenceRef.to(artifact),
                    )
                )
            except InputError as exc:
                problems.append(
                    Problem(
                        artifact.path,
                        exc.message,
                        exc.location.where if exc.location else None,
                        source=self.id,
                    )
                )
        statements, vex_refs, newest_doc = self._statements(bundle, ctx, problems)
        for sbom, _ in sboms:
            problems.extend(sbom.problems)
            if sbom.created and (newest_doc is None or sbom.created > newest_doc):
                newest_doc = sbom.created
        if not sboms:
            return AnalyzerOutput(
                results=not_evidenced(
                    [KEV_CRITERION],
                    "No SBOM of the bundle could be read, so no component could be matched.",
                    self.id,
                    refs,
                ),
                problems=tuple(problems),
            )
        reports = [
            knowledge.match(sbom, statements, now=ctx.now, product=bundle.product) for sbom, _ in sboms
        ]
        data_sets = knowledge.data_sets(ctx.now)
        problems.extend(p for r in reports for p in r.problems)
        problems.extend(self._age_problems(data_sets, ctx))
        evidence = tuple(ref for _, ref in sboms) + vex_refs
        results = [self._kev_result(reports, data_sets, evidence)]
        monitoring = self._monitoring_result(reports, newest_doc, evidence)
        if monitoring is not None:
            results.append(monitoring)
        return AnalyzerOutput(
            results=tuple(results),
            sections=(self._section(reports, data_sets, statements),),
            problems=tuple(problems),
            data_sets=tuple(d for d in data_sets if d.source in _USED_SOURCES),
        )

    # -- inputs ----------------------------------------------------------------------------

    def _statements(
        self, bundle: EvidenceBundle, ctx: AnalysisContext, problems: list[Problem]
    ) -> tuple[list[VexStatement], tuple[EvidenceRef, ...], datetime | None]:
        statements: list[VexStatement] = []
        refs: list[EvidenceRef] = []
        newest: datetime | None = None
        # VEX documents, and CycloneDX SBOMs that embed vulnerability analyses.
        for artifact in bundle.of_kind(ArtifactKind.VEX, ArtifactKind.SBOM, ArtifactKind.CSAF):
            try:
                doc = load_json(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
                read = read_vex_document(doc, artifact.path)
            except InputError as exc:
                if artifact.kind is ArtifactKind.VEX:
                    where = exc.location.where if exc.location else None
                    problems.append(Problem(artifact.path, exc.message, where, source=self.id))
                continue  # an SBOM or CSAF advisory without VEX statements is fine
            statements.extend(read.statements)
            problems.extend(read.problems)
            if read.statements:
                refs.append(
                    EvidenceRef.to(artifact, note=f"{read.format} VEX, {len(read.statements)} statements")
                )
            for statement in read.statements:
                if statement.timestamp and (newest is None or statement.timestamp > newest):
                    newest = statement.timestamp
        return statements, tuple(refs), newest

    @staticmethod
    def _age_problems(data_sets: tuple[DataSetRef, ...], ctx: AnalysisContext) -> list[Problem]:
        raw = ctx.options.get("max_data_age_days", "")
        try:
            limit = float(raw) if raw else DEFAULT_MAX_AGE_DAYS
        except ValueError:
            return [
                Problem(
                    "--option max_data_age_days",
                    f"not a number: {raw!r}; using {DEFAULT_MAX_AGE_DAYS:g} days",
                    severity=Severity.WARNING,
                    source="vulnerabilities",
                )
            ]
        newest: dict[str, DataSetRef] = {}
        for data_set in data_sets:
            if data_set.source in _USED_SOURCES and data_set.age_days is not None:
                current = newest.get(data_set.source)
                if current is None or (current.age_days or 0) > data_set.age_days:
                    newest[data_set.source] = data_set
        return [
            Problem(
                f"knowledge base ({source})",
                f"the newest {source.upper()} data ({ref.name}) is {ref.age_days:.0f} days old, older than "
                f"{limit:g} days: vulnerabilities published since then are not considered (import fresh data with otvet db import {source})",
                severity=Severity.WARNING,
                source="vulnerabilities",
            )
            for source, ref in sorted(newest.items())
            if ref.age_days is not None and ref.age_days > limit
        ]

    # -- verdicts --------------------------------------------------------------------------

    def _kev_result(
        self, reports: list[MatchReport], data_sets: tuple[DataSetRef, ...], evidence: tuple[EvidenceRef, ...]
    ) -> CriterionResult:
        matches = [m for r in reports for m in r.matches]
        components = sum(r.components for r in reports)
        unmatchable = sum(len(r.unmatchable) for r in reports)
        open_matches = [m for m in matches if not m.resolved_by_vex]
        kev_open = [m for m in open_matches if m.kev]
        serious = [m for m in open_matches if m.severity.rank >= SeverityRating.HIGH.rank]
        resolved = len(matches) - len(open_matches)
        has_kev = any(d.source == "kev" for d in data_sets)
        checked = f"{components - unmatchable} of {components} components checked"
        vex_note = f"; {resolved} finding(s) covered by not_affected/fixed VEX statements" if resolved else ""
        if kev_open:
            listed = ", ".join(sorted({f"{m.vulnerability} in {m.component}" for m in kev_open})[:6])
            return result(
                KEV_CRITERION,
                Status.NOT_MET,
                Basis.VERIFIED,
                f"{len(kev_open)} known exploited vulnerabilit{'y' if len(kev_open) == 1 else 'ies'} (CISA KEV) affect the delivered components "
                f"without a not_affected or fixed VEX statement: {listed} ({checked}{vex_note}).",
                self.id,
                evidence,
            )
        reasons: list[str] = []
        if serious:
            counts = Counter(m.severity.value for m in serious)
            reasons.append(
                f"{len(serious)} critical/high vulnerabilit{'y is' if len(serious) == 1 else 'ies are'} open ("
                + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                + ")"
            )
        if unmatchable:
            reasons.append(
                f"{unmatchable} of {components} components could not be checked (no purl or CPE usable for matching)"
            )
        if not has_kev:
            reasons.append("the CISA KEV catalog is not imported, so exploitation status is unknown")
        if components - unmatchable == 0:
            return result(
                KEV_CRITERION,
                Status.NOT_EVIDENCED,
                Basis.NONE,
                f"None of the {components} SBOM components carries a purl or CPE a vulnerability database covers, so none could be checked.",
                self.id,
                evidence,
            )
        if reasons:
            return result(
                KEV_CRITERION,
                Status.PARTIALLY_MET,
                Basis.VERIFIED,
                "No open KEV-listed vulnerability found, but "
                + "; ".join(reasons)
                + f" ({checked}, {len(matches)} finding(s){vex_note}).",
                self.id,
                evidence,
            )
        return result(
            KEV_CRITERION,
            Status.MET,
            Basis.VERIFIED,
            f"No open KEV-listed, critical or high vulnerability in any of the {components} components ({len(matches)} finding(s) of lower severity{vex_note}).",
            self.id,
            evidence,
        )

    def _monitoring_result(
        self, reports: list[MatchReport], newest_doc: datetime | None, evidence: tuple[EvidenceRef, ...]
    ) -> CriterionResult | None:
        matches = [m for r in reports for m in r.matches]
        # Only vulnerabilities public before the vendor's newest SBOM/VEX could have been addressed.
        due = [m for m in matches if newest_doc is None or m.published is None or m.published <= newest_doc]
        if not due:
            return None
        addressed = [m for m in due if m.vex is not None]
        cut = f" published before {newest_doc:%Y-%m-%d}" if newest_doc else ""
        share = f"{len(addressed)} of {len(due)} known vulnerabilities{cut} in the SBOM's components are addressed by the vendor's VEX statements"
        if len(addressed) == len(due):
            status = Status.MET
        elif addressed:
            status = Status.PARTIALLY_MET
        else:
            status = Status.NOT_MET
        return result(
            MONITORING_CRITERION,
            status,
            Basis.VERIFIED,
            share[0].upper() + share[1:] + ".",
            self.id,
            evidence,
        )

    # -- report ----------------------------------------------------------------------------

    def _section(
        self, reports: list[MatchReport], data_sets: tuple[DataSetRef, ...], statements: list[VexStatement]
    ) -> Section:
        matches = [m for r in reports for m in r.matches]
        rows = tuple(_match_row(m) for m in matches)
        unmatchable_rows = tuple(
            (u.component, u.sbom, u.component_location, u.reason) for r in reports for u in r.unmatchable
        )
        data_rows = tuple(
            (
                d.source.upper(),
                d.name,
                str(d.records if d.records is not None else "?"),
                f"{d.data_date:%Y-%m-%d}" if d.data_date else "unknown",
                f"{d.imported_at:%Y-%m-%d}" if d.imported_at else "?",
                f"{d.age_days:.0f}" if d.age_days is not None else "?",
                (d.sha256 or "")[:16],
            )
            for d in data_sets
        )
        unused = [s for r in reports for s in r.unused_statements]
        unused_ids = {(s.vulnerability, s.source, s.location) for s in unused}
        kev_open = sum(1 for m in matches if m.kev and not m.resolved_by_vex)
        open_count = sum(1 for m in matches if not m.resolved_by_vex)
        components = sum(r.components for r in reports)
        summary = (
            f"{len(matches)} vulnerability finding(s) in {components} components "
            f"({open_count} open, {kev_open} of them KEV-listed); "
            f"{sum(len(r.unmatchable) for r in reports)} component(s) could not be checked; "
            f"{len(statements)} VEX statement(s) read."
        )
        tables = [
            Table(
                caption="Vulnerability matches",
                columns=(
                    "Vulnerability",
                    "Aliases",
                    "Component",
                    "Severity",
                    "CVSS",
                    "EPSS",
                    "KEV",
                    "Fixed in",
                    "VEX",
                    "Justification",
                    "VEX source",
                    "Basis",
                    "Matched range",
                    "Data set",
                    "Notes",
                ),
                rows=rows,
                note="One row per (vulnerability, component); aliases are merged. Basis: how the component was matched (purl-range, purl-explicit-version, cpe-range, cpe-exact).",
            ),
            Table(
                caption="Components that could not be checked",
                columns=("Component", "SBOM", "Location", "Reason"),
                rows=unmatchable_rows,
                note="Components without a purl of a covered ecosystem and without a versioned CPE are never matched by name.",
            ),
            Table(
                caption="Data sets the verdict rests on",
                columns=("Source", "Data set", "Records", "Data date", "Imported", "Age (days)", "SHA-256"),
                rows=data_rows,
            ),
        ]
        if unused_ids:
            tables.append(
                Table(
                    caption="VEX statements that applied to no finding",
                    columns=("Vulnerability", "Status", "Source", "Location"),
                    rows=tuple(
                        sorted({(s.vulnerability, s.status.value, s.source, s.location) for s in unused})
                    ),
                    note="A statement applies only to the (vulnerability, component) pairs it names; these name a vulnerability not found in the components or a product this SBOM does not describe.",
                )
            )
        return Section(
            id="vulnerabilities",
            title="Known vulnerabilities",
            analyzer=self.id,
            summary=summary,
            tables=tuple(tables),
            data={
                "matches": len(matches),
                "open": open_count,
                "kev_open": kev_open,
                "unmatchable": sum(len(r.unmatchable) for r in reports),
                "vex_statements": len(statements),
                "by_status": dict(Counter(m.vex.status.value if m.vex else "no statement" for m in matches)),
            },
        )


_USED_SOURCES = ("osv", "nvd", "kev", "epss")


def _match_row(m: VulnerabilityMatch) -> tuple[str, ...]:
    vex = m.vex
    notes = [e.note for e in m.evidence if e.note]
    if m.vex_conflicts:
        notes.append("disagreeing VEX: " + "; ".join(m.vex_conflicts))
    if m.vex is not None and m.vex.confidence:
        notes.append(f"VEX matched with confidence {m.vex.confidence}: {m.vex.match_reason}")
    if m.vex_review:
        notes.append("VEX to review: " + "; ".join(m.vex_review))
    return (
        m.vulnerability,
        ", ".join(m.aliases),
        m.component,
        m.severity.value,
        f"{m.cvss_score:.1f}" if m.cvss_score is not None else "",
        f"{m.epss:.3f}" if m.epss is not None else "",
        "yes" if m.kev else "",
        ", ".join(m.fixed_versions),
        (vex.status.value + (f" ({vex.scope})" if vex.scope != "component" else ""))
        if vex
        else "no statement",
        vex.justification.value if vex and vex.justification else (vex.detail or "" if vex else ""),
        f"{vex.source} {vex.location}" if vex else "",
        ", ".join(dict.fromkeys(e.basis.value for e in m.evidence)),
        "; ".join(f"{e.record_id}: {e.range}" for e in m.evidence),
        ", ".join(dict.fromkeys(e.data_set for e in m.evidence)),
        "; ".join(dict.fromkeys(notes)),
    )


__all__ = ["VexStatus", "VulnerabilityAnalyzer"]
