"""The explicit table of comparison formats (``otvet compare``). A new one is a module plus a line."""

from __future__ import annotations

from otvet.reports.compare_html import HtmlComparisonReporter
from otvet.reports.compare_xlsx import XlsxComparisonReporter
from otvet.reports.interface import ComparisonReporter

COMPARISON_REPORTERS: dict[str, type[ComparisonReporter]] = {
    HtmlComparisonReporter.format: HtmlComparisonReporter,
    XlsxComparisonReporter.format: XlsxComparisonReporter,
}


def comparison_reporter(name: str) -> ComparisonReporter:
    """A comparison reporter by format name; ``KeyError`` if unknown."""
    return COMPARISON_REPORTERS[name]()


def comparison_formats() -> tuple[str, ...]:
    """Known comparison format names."""
    return tuple(COMPARISON_REPORTERS)
