"""Assessment reports: the JSON validates against the published schema, the HTML is complete
and self-contained."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from otvet.catalog import load_catalog
from otvet.core import assess
from otvet.core.reports import published_schema, read_assessment, write_reports
from otvet.model import Assessment, Status
from otvet.reports.html_report import render_html

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
SECTIONS = {
    "summary",
    "elements",
    "blockers",
    "contradictions",
    "criteria",
    "follow-ups",
    "artifacts",
    "problems",
    "provenance",
}


@pytest.fixture(scope="module")
def tiny(asset: Callable[[str], Path]) -> Assessment:
    return assess(asset("bundles/tiny"), profile="essential", now=NOW)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.rows: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("src", "href", "action", "srcset", "data", "poster", "xlink:href") and value:
                self.urls.append((tag, name, value))
            if name == "style" and value and "url(" in value:
                self.urls.append((tag, name, value))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_published_schema_is_current() -> None:
    on_disk = json.loads((REPO / "docs" / "assessment.schema.json").read_text(encoding="utf-8"))
    assert on_disk == published_schema(), "run scripts/write_schema.py and commit docs/assessment.schema.json"


def test_json_report_validates_and_reads_back(tiny: Assessment, tmp_path: Path) -> None:
    [path] = write_reports(tiny, tmp_path, ["json"])
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(published_schema()).validate(document)
    again = read_assessment(path)
    assert again == tiny


def test_json_covers_every_profile_criterion_and_all_elements(tiny: Assessment) -> None:
    from otvet.catalog import load_profile

    assert [o.criterion_id for o in tiny.outcomes] == list(load_profile("essential").criteria)
    assert len(tiny.scores.elements) == 12


def test_verdicts_of_the_tiny_bundle(tiny: Assessment) -> None:
    assert [b.criterion_id for b in tiny.blockers] == ["SBD-06.01"]
    sbom = tiny.outcome("SBD-11.01")
    # The SBOM quality analyzer outranks the vendor's 'yes': the tiny SBOM names no supplier.
    assert sbom.status is Status.PARTIALLY_MET and sbom.basis.value == "verified"
    assert sbom.claim is not None and sbom.contradiction is not None
    assert any(
        e.path == "sbom/tiny.cdx.json" and e.note == "cited by the vendor" for e in sbom.claim.evidence
    )
    signing = tiny.outcome("SBD-12.05")
    assert "not in the bundle" in signing.rationale
    assert tiny.outcome("SBD-02.03").status is Status.NOT_APPLICABLE
    assert {a.path for a in tiny.artifacts} == {
        "otvet-bundle.yaml",
        "questionnaire/answers.yaml",
        "sbom/tiny.cdx.json",
    }


def test_html_has_every_section_and_every_criterion(tiny: Assessment) -> None:
    html = render_html(tiny, load_catalog())
    parsed = _parse(html)
    assert parsed.ids >= SECTIONS
    assert {f"c-{o.criterion_id}" for o in tiny.outcomes} <= parsed.ids
    text = " ".join(parsed.text)
    for artifact in tiny.artifacts:
        assert artifact.sha256 in text
    assert "svg" in parsed.tags


def test_html_loads_nothing_from_the_network(tiny: Assessment) -> None:
    html = render_html(tiny, load_catalog())
    parsed = _parse(html)
    external = [u for u in parsed.urls if not u[2].startswith("#") and u[1] != "xmlns"]
    assert external == []
    assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags
    assert "@import" not in html and "url(http" not in html and "url(//" not in html


def test_html_escapes_hostile_text(tiny: Assessment) -> None:
    from dataclasses import replace

    hostile = replace(tiny, product=replace(tiny.product, product='<img src="http://evil.example/x.png">'))
    html = render_html(hostile, load_catalog())
    assert '<img src="http://evil.example' not in html
    assert "&lt;img" in html
