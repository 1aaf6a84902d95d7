"""Knowledge base services for the shells: import data, show status, match an SBOM.

The CLI imports only ``otvet.core`` and ``otvet.model``; these functions open the store,
do the work and close it again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from otvet.formats.sbom import read_sbom
from otvet.formats.vex import read_vex, vex_formats
from otvet.knowledge import IMPORTERS, knowledge_base
from otvet.knowledge.store import store_url
from otvet.model import NO_PROGRESS, DataSetRef, Problem, Progress
from otvet.model.serialize import to_jsonable
from otvet.model.vex import VexStatement
from otvet.model.vulnerabilities import ImportReport, MatchReport
from otvet.storage import redact

__all__ = [
    "DatabaseStatus",
    "data_sources",
    "database_status",
    "import_data",
    "match_report_json",
    "match_sbom",
    "vex_formats",
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
) -> ImportReport:
    """Import one data file or directory into the knowledge base."""
    with knowledge_base(url) as knowledge:
        return knowledge.import_data(source, path, now=now or datetime.now(UTC), progress=progress)


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
