"""Writing and reading assessment reports on behalf of the shells."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.model import NO_PROGRESS, Assessment, InputError, Location, Progress
from otvet.reports import formats, reporter
from otvet.reports.interface import ReportUnavailable
from otvet.reports.json_report import assessment_schema, loads
from otvet.safeio import load_json


def report_formats() -> tuple[str, ...]:
    """Report format names the CLI accepts."""
    return formats()


def slug(text: str) -> str:
    """A file-name-safe slug."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower() or "product"


def report_basename(assessment: Assessment) -> str:
    """Base file name of an assessment's reports, e.g. ``northwind-nw-rtu-500-3.2.1-standard``."""
    p = assessment.product
    return slug(f"{p.vendor} {p.product} {p.version} {assessment.profile_id}")


def write_reports(
    assessment: Assessment,
    out_dir: Path,
    names: Iterable[str],
    *,
    notes: list[str] | None = None,
    progress: Progress = NO_PROGRESS,
) -> list[Path]:
    """Render the assessment in each format into ``out_dir``; returns the written files.

    A format this machine cannot produce (PDF without Chromium) raises, unless ``notes`` is
    given: then the reason is appended to it and the other formats are still written.
    """
    catalog = load_catalog()
    chosen = []
    for name in names:
        try:
            chosen.append(reporter(name))
        except KeyError:
            raise InputError(f"unknown report format {name!r} (known: {', '.join(formats())})") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    base = report_basename(assessment)
    progress.start("Writing reports", len(chosen))
    for format_reporter in chosen:
        progress.advance(0, format_reporter.format)
        target = out_dir / f"{base}{format_reporter.extension}"
        try:
            content = format_reporter.render(assessment, catalog)
        except ReportUnavailable as exc:
            if notes is None:
                raise
            notes.append(f"{format_reporter.format}: skipped: {exc}")
            progress.advance(1)
            continue
        target.write_bytes(content)
        written.append(target)
        progress.advance(1)
    progress.finish()
    return written


def read_assessment(path: Path) -> Assessment:
    """Read an assessment JSON file written by ``otvet assess``."""
    if not path.is_file():
        raise InputError("no such file", Location(str(path)))
    return loads(load_json(path), str(path))


def published_schema() -> dict[str, object]:
    """The JSON Schema of assessment reports (``docs/assessment.schema.json``)."""
    return assessment_schema()
