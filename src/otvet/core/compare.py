"""Side-by-side comparison of assessment files, on behalf of the shells (``otvet compare``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.core.reports import read_assessment
from otvet.model import InputError
from otvet.model.comparison import MAX_PRODUCTS, MIN_PRODUCTS, Comparison
from otvet.reports.comparison_registry import comparison_formats, comparison_reporter
from otvet.scoring.compare import compare

__all__ = ["compare_files", "comparison_formats", "write_comparison"]

BASENAME = "comparison"


def compare_files(paths: Sequence[Path]) -> Comparison:
    """Read 2 to 10 assessment JSON files (``otvet assess`` output) and compare them."""
    if not MIN_PRODUCTS <= len(paths) <= MAX_PRODUCTS:
        raise InputError(f"compare needs {MIN_PRODUCTS} to {MAX_PRODUCTS} assessment files, got {len(paths)}")
    return compare(load_catalog(), [(str(path), read_assessment(path)) for path in paths])


def write_comparison(
    comparison: Comparison, out_dir: Path, names: Iterable[str] = ("html", "xlsx")
) -> list[Path]:
    """Render the comparison in each format into ``out_dir``; returns the written files."""
    chosen = []
    for name in names:
        try:
            chosen.append(comparison_reporter(name))
        except KeyError:
            raise InputError(
                f"unknown comparison format {name!r} (known: {', '.join(comparison_formats())})"
            ) from None
    catalog = load_catalog()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for reporter in chosen:
        target = out_dir / f"{BASENAME}{reporter.extension}"
        target.write_bytes(reporter.render(comparison, catalog))
        written.append(target)
    return written
