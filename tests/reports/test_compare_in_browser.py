"""The comparison page in headless Chromium, for 2 and for 10 products, saved as PNG to look at.

Set ``OTVET_SCREENSHOT_DIR`` to keep the screenshots (docs/decide.md, "Looking at the page"):

    OTVET_SCREENSHOT_DIR=out/screenshots .venv/bin/pytest tests/reports/test_compare_in_browser.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from otvet.catalog import load_catalog
from otvet.core.compare import compare_files, write_comparison
from otvet.model import Assessment
from otvet.scoring.compare import compare
from tests.browser import open_page
from tests.reports.conftest import variant

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n"


def _shoot(html: Path, name: str, tmp_path: Path, width: int) -> Path:
    shot = tmp_path / f"{name}.png"
    with open_page(html, width=width) as loaded:
        page = loaded.page
        assert page.locator("#matrix table").is_visible()  # type: ignore[attr-defined]
        # nothing overflows the page sideways: the matrix fits the viewport width
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0, f"page is {overflow}px wider than the window"
        bars = page.locator("#chart svg rect[fill^='url(#prod-']").count()  # type: ignore[attr-defined]
        page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]
    assert loaded.requests == [html.resolve().as_uri()]
    assert shot.read_bytes()[:8] == PNG and shot.stat().st_size > 50_000
    keep = os.environ.get("OTVET_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    assert bars > 0
    return shot


def test_two_products_render(example_json: list[Path], tmp_path: Path) -> None:
    [html] = write_comparison(compare_files(example_json), tmp_path, ["html"])
    _shoot(html, "comparison-2", tmp_path, 1280)


def test_ten_products_render(example_assessments: dict[str, Assessment], tmp_path: Path) -> None:
    bases = list(example_assessments.values())
    comparison = compare(load_catalog(), [(f"variant-{i}.json", variant(bases[i % 2], i)) for i in range(10)])
    [html] = write_comparison(comparison, tmp_path, ["html"])
    _shoot(html, "comparison-10", tmp_path, 1280)
