"""The HTML report in a real browser: it renders, shows every section, and fetches nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.core import assess
from otvet.core.reports import write_reports
from tests.browser import open_page

pytestmark = pytest.mark.browser


def test_report_renders_offline_with_all_sections(asset: Callable[[str], Path], tmp_path: Path) -> None:
    assessment = assess(asset("bundles/tiny"), profile="essential", now=datetime(2026, 11, 21, tzinfo=UTC))
    [html] = write_reports(assessment, tmp_path, ["html"])
    with open_page(html) as loaded:
        page = loaded.page
        for section in ("summary", "elements", "blockers", "criteria", "follow-ups", "artifacts"):
            assert page.locator(f"#{section}").is_visible(), section  # type: ignore[attr-defined]
        bars = page.locator("#elements svg rect").count()  # type: ignore[attr-defined]
        assert bars >= 12
        blocker = page.locator("ul.blockers li").first.inner_text()  # type: ignore[attr-defined]
        assert "SBD-06.01" in blocker
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]
    assert loaded.requests == [html.resolve().as_uri()]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
