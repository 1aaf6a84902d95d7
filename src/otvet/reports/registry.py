"""The one explicit table of report formats. A new format is one module plus one line here."""

from __future__ import annotations

from otvet.reports.findings_csv import CsvReporter
from otvet.reports.findings_xlsx import XlsxReporter
from otvet.reports.html_report import HtmlReporter
from otvet.reports.interface import Reporter
from otvet.reports.json_report import JsonReporter
from otvet.reports.oscal_results import OscalReporter
from otvet.reports.pdf_report import PdfReporter

REPORTERS: dict[str, type[Reporter]] = {
    JsonReporter.format: JsonReporter,
    HtmlReporter.format: HtmlReporter,
    OscalReporter.format: OscalReporter,
    XlsxReporter.format: XlsxReporter,
    CsvReporter.format: CsvReporter,
    PdfReporter.format: PdfReporter,
}


def reporter(name: str) -> Reporter:
    """A reporter by format name; ``KeyError`` if unknown."""
    return REPORTERS[name]()


def formats() -> tuple[str, ...]:
    """Known report format names."""
    return tuple(REPORTERS)
