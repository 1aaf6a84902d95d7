"""The assessment as one CSV table: every criterion result, then every finding.

One row per record; the ``Record`` column says what it is (``criterion``, ``blocker``,
``open must-have``, ``contradiction``, ``follow-up question``, ``input problem``), so a
spreadsheet filter on it gives each list. UTF-8 with a byte-order mark (spreadsheet programs
then read the symbols right), RFC 4180 quoting, and no cell that a spreadsheet would run as a
formula.
"""

from __future__ import annotations

import csv
import io
from typing import ClassVar

from otvet.model import Assessment, Catalog
from otvet.reports.findings import criterion_rows, finding_rows
from otvet.reports.spreadsheet import csv_text

COLUMNS = (
    "Record",
    "ID",
    "Element",
    "Criterion",
    "Must-have",
    "Weight",
    "Status",
    "Basis",
    "Detail",
    "Contradiction",
    "Evidence",
    "File",
    "Where",
    "Found by",
)


class CsvReporter:
    """Writes the assessment as CSV."""

    format: ClassVar[str] = "csv"
    extension: ClassVar[str] = ".csv"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        return render_csv(assessment, catalog).encode("utf-8-sig")


def render_csv(assessment: Assessment, catalog: Catalog) -> str:
    """The CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in criterion_rows(assessment, catalog):
        v = r.values
        writer.writerow(
            csv_text(x)
            for x in (
                "criterion",
                v["ID"],
                v["Element"],
                v["Criterion"],
                v["Must-have"],
                v["Weight"],
                v["Status"],
                v["Basis"],
                v["Rationale"],
                v["Contradiction"],
                v["Evidence"],
                "",
                "",
                v["Decided by"],
            )
        )
    for f in finding_rows(assessment, catalog):
        v = f.values
        writer.writerow(
            csv_text(x)
            for x in (
                f.kind,
                v["ID"],
                "",
                v["Criterion"],
                "",
                "",
                v["Status"] or v["Severity"],
                "",
                v["Detail"],
                "",
                "",
                v["File"],
                v["Where"],
                v["Found by"],
            )
        )
    return buffer.getvalue()
