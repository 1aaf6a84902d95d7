"""Reports: render assessments (and later comparisons) in open formats."""

from otvet.reports.interface import Reporter
from otvet.reports.registry import REPORTERS, formats, reporter

__all__ = ["REPORTERS", "Reporter", "formats", "reporter"]
