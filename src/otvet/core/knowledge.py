"""Knowledge base services for the shells: import data, show status, match an SBOM; and the
adapter that lets the update SBOM diff ask the knowledge base about vulnerabilities.

The CLI imports only ``otvet.core`` and ``otvet.model``; these functions open the store,
do the work and close it again. Stages never import each other: the knowledge base reaches
the SBOM diff (``otvet.updates``) only through :class:`KnowledgeVulnerabilities`, which
satisfies ``otvet.updates.interface.VulnerabilitySource`` structurally (ADR 0064).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from otvet.core.audit import AuditTrail, current_user, default_trail
from otvet.formats.sbom import read_sbom
from otvet.formats.vex import read_vex, vex_formats
from otvet.knowledge import IMPORTERS, KnowledgeBase, knowledge_base, open_knowledge
from otvet.knowledge.store import store_url
from otvet.model import NO_PROGRESS, Component, DataSetRef, OtvetError, Problem, Progress, SbomDocument
from otvet.model.audit import AuditEvent, Outcome
from otvet.model.serialize import to_jsonable
from otvet.model.vex import VexStatement
from otvet.model.vulnerabilities import ImportReport, MatchReport
from otvet.storage import redact

__all__ = [
    "DatabaseStatus",
    "KnowledgeVulnerabilities",
    "data_sources",
    "database_status",
    "import_data",
    "match_report_json",
    "match_sbom",
    "vex_formats",
    "vulnerability_source",
]


def data_sources() -> tuple[str, ...]:
    """The data sources ``otvet db import`` accepts."""
    return tuple(IMPORTERS)


def import_data(
    source: str,
    path: Path,
    *,
    url: str | None = None,
    now: datetime | None = None,
    progress: Progress = NO_PROGRESS,
    trail: AuditTrail | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import one data file or directory into the knowledge base.

    The import is recorded in the audit log (``db.import``: source, file digest, record counts),
    a refused import too; ``trail`` defaults to the default audit log, and failing to record
    fails the action (verdicts rest on this data, so who loaded what, when, must be traceable).
    """
    recorder = trail or default_trail()
    who = actor or current_user()
    store = redact(store_url(url))
    try:
        with knowledge_base(url) as knowledge:
            report = knowledge.import_data(source, path, now=now or datetime.now(UTC), progress=progress)
    except OtvetError as exc:
        recorder.record(
            AuditEvent(
                action="db.import",
                actor=who,
                description=f"{who} could not import {source} data from {path.name}: {exc}",
                outcome=Outcome.FAILURE,
                details={"source": source, "path": str(path), "store": store, "error": str(exc)},
            )
        )
        raise
    recorder.record(import_event(report, who, store))
    return report


def import_event(report: ImportReport, actor: str, store: str) -> AuditEvent:
    """The audit event of one knowledge-base import."""
    if report.already_imported:
        summary = "already imported, nothing changed"
    else:
        summary = (
            f"{report.records} record(s): {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.older} older kept, {report.problem_count} problem(s)"
        )
    return AuditEvent(
        action="db.import",
        actor=actor,
        description=f"{actor} imported {report.source} data from {Path(report.path).name}: {summary}",
        correlation_id=f"data-set-{report.data_set_id}" if report.data_set_id is not None else None,
        details={
            "source": report.source,
            "path": report.path,
            "sha256": report.sha256,
            "store": store,
            "data_set_id": report.data_set_id,
            "records": report.records,
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "older": report.older,
            "problems": report.problem_count,
            "already_imported": report.already_imported,
            "data_date": report.data_date.isoformat() if report.data_date else None,
        },
    )


@dataclass(frozen=True)
class DatabaseStatus:
    """What ``otvet db status`` shows."""

    url: str
    """The store URL, password redacted."""
    data_sets: tuple[DataSetRef, ...]
    counts: dict[str, int]


def database_status(*, url: str | None = None, now: datetime | None = None) -> DatabaseStatus:
    """The data sets and row counts of the knowledge base."""
    with knowledge_base(url) as knowledge:
        return DatabaseStatus(
            url=redact(store_url(url)),
            data_sets=knowledge.data_sets(now or datetime.now(UTC)),
            counts=knowledge.counts(),
        )


@dataclass(frozen=True)
class MatchRun:
    """A match of one SBOM, with the VEX documents read for it."""

    report: MatchReport
    statements: int
    problems: tuple[Problem, ...]
    """SBOM and VEX reading problems (matching problems are in the report)."""


def match_sbom(
    sbom: Path,
    vex: Sequence[Path] = (),
    *,
    url: str | None = None,
    now: datetime | None = None,
    progress: Progress = NO_PROGRESS,
) -> MatchRun:
    """Match an SBOM file against the knowledge base, applying the given VEX files."""
    document = read_sbom(sbom)
    statements: list[VexStatement] = []
    problems: list[Problem] = list(document.problems)
    for path in vex:
        read = read_vex(path)
        statements.extend(read.statements)
        problems.extend(read.problems)
    with knowledge_base(url) as knowledge:
        report = knowledge.match(document, statements, now=now or datetime.now(UTC), progress=progress)
    return MatchRun(report=report, statements=len(statements), problems=tuple(problems))


def match_report_json(run: MatchRun) -> str:
    """The match report as JSON (the same structure the assessment JSON uses)."""
    data: dict[str, Any] = {
        "otvet_vulnerability_matches": 1,
        "report": to_jsonable(run.report),
        "vex_statements": run.statements,
        "problems": to_jsonable(list(run.problems)),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


class KnowledgeVulnerabilities:
    """The knowledge base as the SBOM diff's vulnerability source (``VulnerabilitySource``).

    Components are matched exactly as ``otvet vulns match`` matches them (purl by ecosystem,
    CPE by NISTIR 7696, aliases merged; ADR 0031); each finding is reported by its display id
    (the CVE when one is known), so the same vulnerability has the same id on both sides of the
    diff. Components that could not be checked are remembered in :attr:`unmatchable`.
    """

    def __init__(self, knowledge: KnowledgeBase, *, now: datetime) -> None:
        self._knowledge = knowledge
        self._now = now
        self.unmatchable: dict[str, str] = {}
        """Component label -> why it could not be checked."""

    @property
    def name(self) -> str:
        """``otvet knowledge base (OSV #1 go, data 2026-11-20; ...)``: what answered, and how current."""
        used = [d for d in self._knowledge.data_sets(self._now) if d.source in ("osv", "nvd", "kev")]
        parts = [
            f"{d.source.upper()} {d.name}" + (f", data {d.data_date:%Y-%m-%d}" if d.data_date else "")
            for d in used
        ]
        return "otvet knowledge base (" + ("; ".join(parts) or "no data sets") + ")"

    def vulnerabilities(self, components: Sequence[Component]) -> Mapping[str, Sequence[str]]:
        """Vulnerability ids per component ref."""
        document = SbomDocument(
            path="SBOM diff", format="", spec_version="", encoding="", components=tuple(components)
        )
        report = self._knowledge.match(document, now=self._now)
        found: dict[str, list[str]] = {}
        for match in report.matches:
            ids = found.setdefault(match.component_ref, [])
            if match.vulnerability not in ids:
                ids.append(match.vulnerability)
        for item in report.unmatchable:
            self.unmatchable[item.component] = item.reason
        return found


@contextmanager
def vulnerability_source(
    url: str | None = None, *, now: datetime | None = None
) -> Iterator[KnowledgeVulnerabilities | None]:
    """The knowledge base as a vulnerability source when it holds OSV or NVD data, else None
    (the diff then says "vulnerability data not available"). Never creates a store."""
    knowledge = open_knowledge(url)
    if knowledge is None:
        yield None
        return
    try:
        yield (
            KnowledgeVulnerabilities(knowledge, now=now or datetime.now(UTC))
            if knowledge.has_data()
            else None
        )
    finally:
        knowledge.close()
