"""Time the decide-stage outputs: comparison (2 and 10 products), OSCAL, spreadsheets, RFP, PDF.

Run: ``.venv/bin/python bench/decide_outputs.py`` (results go to docs/PERFORMANCE.md, section
"Comparison, exports and RFP"). The examples are assessed once, outside the timings.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.core import assess
from otvet.core.catalog import oscal_documents
from otvet.core.compare import write_comparison
from otvet.core.reports import write_reports
from otvet.core.rfp import write_rfp
from otvet.reports.pdf_report import find_chromium
from otvet.scoring.compare import compare

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def timed(label: str, action: Callable[[], object], runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    print(f"| {label} | {statistics.median(times) * 1000:.0f} ms | {min(times) * 1000:.0f} ms | {runs} |")


def main() -> None:
    catalog = load_catalog()
    examples = [
        assess(ROOT / "examples" / n, profile="standard", now=NOW) for n in ("northwind-rtu", "kestrel-plc")
    ]
    two = [(f"{i}.json", a) for i, a in enumerate(examples)]
    ten = [
        (
            f"{i}.json",
            replace(examples[i % 2], product=replace(examples[i % 2].product, vendor=f"Vendor {i}")),
        )
        for i in range(10)
    ]
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.platform()}")
    print("| Output | median | best | runs |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        timed("compare 2 products: HTML + XLSX", lambda: write_comparison(compare(catalog, two), out / "c2"))
        timed(
            "compare 10 products: HTML + XLSX", lambda: write_comparison(compare(catalog, ten), out / "c10")
        )
        timed("OSCAL catalog + 3 profiles + crosswalks", lambda: oscal_documents(moment=NOW))
        timed("OSCAL assessment-results (one product)", lambda: write_reports(examples[0], out, ["oscal"]))
        timed("XLSX + CSV of one assessment", lambda: write_reports(examples[0], out, ["xlsx", "csv"]))
        timed("RFP strict: DOCX + Markdown + questionnaire", lambda: write_rfp("strict", out / "rfp"))
        if find_chromium():
            timed(
                "PDF of one assessment (headless Chromium)",
                lambda: write_reports(examples[0], out, ["pdf"]),
                runs=3,
            )
        else:
            print("| PDF | skipped: no Chromium | | |")


if __name__ == "__main__":
    main()
