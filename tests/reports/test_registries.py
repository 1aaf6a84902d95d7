"""Every entry of the decide-stage registries resolves and names its own format."""

from __future__ import annotations

from otvet.reports import REPORTERS
from otvet.reports.comparison_registry import COMPARISON_REPORTERS
from otvet.reports.rfp_registry import RFP_WRITERS


def test_tables_resolve() -> None:
    for table in (REPORTERS, COMPARISON_REPORTERS, RFP_WRITERS):
        for name, cls in table.items():
            instance = cls()
            assert instance.format == name and instance.extension.startswith(".")
    assert {"xlsx", "csv", "oscal", "pdf"} <= set(REPORTERS)
    assert set(COMPARISON_REPORTERS) == {"html", "xlsx"}
    assert set(RFP_WRITERS) == {"docx", "md"}
