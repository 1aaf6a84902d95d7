"""Flat rows of an assessment for spreadsheets: every criterion result and every finding.

A *finding* is anything a reader must act on: a blocker, a must-have still open, a
contradiction between claim and evidence, a follow-up question for the vendor, an input
problem. The XLSX and CSV reports are built from these rows, so both hold the same content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from otvet.model import Assessment, Catalog, EvidenceRef

CRITERION_COLUMNS = (
    "ID",
    "Element",
    "Criterion",
    "Must-have",
    "Weight",
    "Status",
    "Basis",
    "Rationale",
    "Contradiction",
    "Vendor claim",
    "Evidence",
    "Decided by",
    "Requirement",
)

FINDING_COLUMNS = ("Kind", "ID", "Criterion", "Status", "Severity", "Detail", "File", "Where", "Found by")


@dataclass(frozen=True)
class CriterionRow:
    """One criterion's resolved verdict."""

    values: Mapping[str, object]
    status: str


@dataclass(frozen=True)
class FindingRow:
    """One finding."""

    values: Mapping[str, object]
    kind: str


def evidence_text(refs: tuple[EvidenceRef, ...]) -> str:
    """Evidence references, one per line: path, location, short hash, note."""
    lines = []
    for ref in refs:
        parts = [ref.path]
        if ref.location:
            parts.append(ref.location)
        if ref.sha256:
            parts.append(f"sha256 {ref.sha256[:12]}")
        if ref.note:
            parts.append(ref.note)
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def criterion_rows(assessment: Assessment, catalog: Catalog) -> list[CriterionRow]:
    """One row per assessed criterion, in profile order."""
    rows = []
    criteria = {c.id: c for c in catalog.criteria}
    for o in assessment.outcomes:
        c = criteria.get(o.criterion_id)
        element = catalog.element(c.element) if c else None
        claim = (
            f"{o.claim.status.value.replace('_', ' ')}: {o.claim.rationale}" if o.claim is not None else ""
        )
        values = {
            "ID": o.criterion_id,
            "Element": f"{element.number}. {element.name}" if element else "",
            "Criterion": c.title if c else "",
            "Must-have": "yes" if o.must_have else "",
            "Weight": o.weight,
            "Status": o.status.value,
            "Basis": o.basis.value,
            "Rationale": o.rationale,
            "Contradiction": o.contradiction or "",
            "Vendor claim": claim,
            "Evidence": evidence_text(o.evidence),
            "Decided by": o.analyzer or "",
            "Requirement": c.requirement if c else "",
        }
        rows.append(CriterionRow(values=values, status=o.status.value))
    return rows


def finding_rows(assessment: Assessment, catalog: Catalog) -> list[FindingRow]:
    """Blockers, open must-haves, contradictions, follow-up questions and input problems."""
    criteria = {c.id: c.title for c in catalog.criteria}
    rows: list[FindingRow] = []

    def add(kind: str, **values: object) -> None:
        full = {
            column: values.get(column.lower().replace(" ", "_").replace("-", "_"), "")
            for column in FINDING_COLUMNS
        }
        full["Kind"] = kind
        rows.append(FindingRow(values=full, kind=kind))

    for b in assessment.blockers:
        add(
            "blocker",
            id=b.criterion_id,
            criterion=b.title,
            status=b.status.value,
            severity="blocker",
            detail=b.reason,
        )
    for b in assessment.pending_must_haves:
        add(
            "open must-have",
            id=b.criterion_id,
            criterion=b.title,
            status=b.status.value,
            severity="open",
            detail=b.reason,
        )
    for o in assessment.contradictions:
        add(
            "contradiction",
            id=o.criterion_id,
            criterion=criteria.get(o.criterion_id, ""),
            status=o.status.value,
            severity="warning",
            detail=o.contradiction or "",
            found_by=o.analyzer or "",
        )
    for f in assessment.follow_ups:
        add(
            "follow-up question",
            id=f.criterion_id,
            criterion=criteria.get(f.criterion_id, ""),
            severity="question",
            detail=f"{f.question} (why: {f.reason})",
        )
    for p in assessment.problems:
        add(
            "input problem",
            severity=p.severity.value,
            detail=p.message,
            file=p.path,
            where=p.where or "",
            found_by=p.source,
        )
    return rows
