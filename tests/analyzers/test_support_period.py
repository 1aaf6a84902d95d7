"""The support-period analyzer's three sources: manifest, CycloneDX property, vendor document.

Small bundles written in each test go through real intake; documents carry the words that
fooled the old date finder ("geolocation", "Stereolithography") next to dates.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from otvet.analyzers import AnalysisContext
from otvet.analyzers.support_period import SupportPeriodAnalyzer, stated_dates
from otvet.catalog import load_catalog, load_profile
from otvet.intake import open_bundle
from otvet.model import AnalyzerOutput, CriterionResult, Severity, Status

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _bundle(
    root: Path, files: dict[str, str | bytes], kinds: dict[str, str], end_of_support: str = ""
) -> Path:
    root.mkdir(parents=True)
    eos = f"  end_of_support: {end_of_support}\n" if end_of_support else ""
    manifest = (
        "otvet_bundle: 1\nproduct:\n  vendor: Example Automation\n  name: EX-1 Controller\n  version: 2.4.0\n"
        + eos
        + "artifacts:\n"
        + "".join(f"  - path: {name}\n    kind: {kinds[name]}\n" for name in files)
    )
    (root / "otvet-bundle.yaml").write_text(manifest, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _analyze(root: Path, **options: str) -> AnalyzerOutput:
    catalog = load_catalog()
    ctx = AnalysisContext(catalog=catalog, profile=load_profile("strict", catalog), now=NOW, options=options)
    with open_bundle(root, catalog) as bundle:
        return SupportPeriodAnalyzer().analyze(bundle, ctx)


def _result(output: AnalyzerOutput, criterion: str) -> CriterionResult:
    return next(r for r in output.results if r.criterion_id == criterion)


def _cyclonedx(metadata: dict[str, Any]) -> str:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "metadata": {"timestamp": "2026-07-01T00:00:00Z", **metadata},
            "components": [{"type": "library", "name": "zlib", "version": "1.3.1", "bom-ref": "zlib"}],
        }
    )


# --- vendor documents -------------------------------------------------------------------------

GEO = """# EX-1 release notes

Firmware 2.4.0 adds geolocation tagging of events; the geolocation database was updated on
2021-05-01. Stereolithography housings (printed 12 March 2022) are available as spare parts.
"""


def test_eol_inside_words_is_no_end_of_support(tmp_path: Path) -> None:
    assert stated_dates(GEO) == []
    output = _analyze(_bundle(tmp_path / "b", {"docs/notes.md": GEO}, {"docs/notes.md": "document"}))
    verdict = _result(output, "SBD-12.04")
    assert verdict.status is Status.NOT_MET and "No end-of-support" in verdict.rationale
    assert not any(r.criterion_id == "SBD-12.10" for r in output.results)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The EX-1 reaches end of support on 30 June 2031.", date(2031, 6, 30)),
        ("End-of-life: 2031-06-30", date(2031, 6, 30)),
        ("| EX-1 2.x | EOL | 2031-06-30 |", date(2031, 6, 30)),
        ("Security updates are provided until December 31, 2031.", date(2031, 12, 31)),
        ("The product line is supported until\n2031-06-30 at least.", date(2031, 6, 30)),
        ("Firmware 2.4 is supported until 31st March 2032", date(2032, 3, 31)),
    ],
)
def test_end_of_support_statements(text: str, expected: date) -> None:
    assert [d for d, _, _ in stated_dates(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "End of support is announced on the product page. Our office moved on 2021-05-01.",
        "End of support dates are published separately;\nthe 2021-05-01 release added TLS 1.3.",
        "End of life\n\nThe manual was revised on 2021-05-01.",
        "Set the eol character to CR LF (default since 2021-05-01).",
        "End of support: 2029-02-30",  # not a date
    ],
)
def test_dates_outside_the_statement_are_not_taken(text: str) -> None:
    assert stated_dates(text) == []


def test_document_source_with_service_life(tmp_path: Path) -> None:
    doc = GEO + "\n## Support\n\nThe EX-1 Controller reaches end of support on 30 June 2031.\n"
    output = _analyze(
        _bundle(tmp_path / "b", {"docs/notes.md": doc}, {"docs/notes.md": "document"}),
        planned_service_life_years="10",
    )
    published = _result(output, "SBD-12.04")
    assert published.status is Status.MET and "2031-06-30" in published.rationale
    assert "stated in docs/notes.md line 8" in published.rationale
    assert published.evidence[0].location == "line 8"
    life = _result(output, "SBD-12.10")
    gap = (date(2036, 11, 21) - date(2031, 6, 30)).days / 365.25  # ten years from NOW, minus the end
    assert (
        life.status is Status.NOT_MET and f"about {gap:.1f} years without security support" in life.rationale
    )


def test_several_dates_prefer_the_assessed_version(tmp_path: Path) -> None:
    doc = (
        "| Firmware | End of support |\n|---|---|\n"
        "| 1.8.0 | End of support 2024-12-31 |\n"
        "| 2.4.0 | End of support 2033-12-31 |\n"
    )
    output = _analyze(_bundle(tmp_path / "b", {"docs/lifecycle.md": doc}, {"docs/lifecycle.md": "document"}))
    assert "2033-12-31" in _result(output, "SBD-12.04").rationale
    assert not [p for p in output.problems if "several" in p.message]


def test_several_dates_without_the_version_take_the_earliest_with_a_warning(tmp_path: Path) -> None:
    doc = "Hardware revision A: end of support 2030-06-30.\nHardware revision B: end of support 2034-06-30.\n"
    output = _analyze(_bundle(tmp_path / "b", {"docs/lifecycle.md": doc}, {"docs/lifecycle.md": "document"}))
    assert "2030-06-30" in _result(output, "SBD-12.04").rationale
    warning = next(p for p in output.problems if "several" in p.message)
    assert warning.severity is Severity.WARNING
    assert "2030-06-30 (line 1), 2034-06-30 (line 2)" in warning.message


def test_unreadable_and_binary_documents_are_reported(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docs/latin1.txt": "Unterstützung endet 2031".encode("latin-1"),
        "docs/lifecycle.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    }
    output = _analyze(
        _bundle(tmp_path / "b", files, {"docs/latin1.txt": "document", "docs/lifecycle.pdf": "document"})
    )
    problems = {p.path: p for p in output.problems if p.source == "support_period"}
    assert problems["docs/latin1.txt"].severity is Severity.ERROR
    assert "could not be read, so it was not searched" in problems["docs/latin1.txt"].message
    assert problems["docs/lifecycle.pdf"].severity is Severity.WARNING
    assert "text of a PDF is not extracted" in problems["docs/lifecycle.pdf"].message
    assert "2 file(s) could not be searched" in _result(output, "SBD-12.04").rationale


def test_binary_documents_are_not_reported_when_the_manifest_decides(tmp_path: Path, examples: Path) -> None:
    free = "Security updates are free of charge for the whole support period.\n"
    files: dict[str, str | bytes] = {"docs/policy.md": free, "docs/datasheet.pdf": b"%PDF-1.7\n%%EOF\n"}
    output = _analyze(
        _bundle(
            tmp_path / "b",
            files,
            {"docs/policy.md": "document", "docs/datasheet.pdf": "document"},
            "2040-12-31",
        )
    )
    assert _result(output, "SBD-11.15").status is Status.MET
    assert [p for p in output.problems if p.source == "support_period"] == []


# --- CycloneDX properties ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "where"),
    [
        ({"properties": [{"name": "vendor:build", "value": "7"}, {"name": "end-of-support", "value": "2036-03-31"}]}, "/metadata/properties"),
        ({"component": {"type": "firmware", "name": "EX-1", "version": "2.4.0", "properties": [{"name": "acme:endOfSupport", "value": "2036-03-31T00:00:00Z"}]}}, "/metadata/component/properties"),
    ],
)  # fmt: skip
def test_cyclonedx_property_source(tmp_path: Path, metadata: dict[str, Any], where: str) -> None:
    root = _bundle(
        tmp_path / "b",
        {"sbom/ex1.cdx.json": _cyclonedx(metadata), "docs/notes.md": GEO},
        {"sbom/ex1.cdx.json": "sbom", "docs/notes.md": "document"},
    )
    output = _analyze(root, planned_service_life_years="9")
    published = _result(output, "SBD-12.04")
    assert published.status is Status.MET and "2036-03-31" in published.rationale
    assert published.evidence[0].path == "sbom/ex1.cdx.json" and published.evidence[0].location == where
    assert _result(output, "SBD-12.10").status is Status.MET  # 2035-11-21 needed, 2036-03-31 given


def test_cyclonedx_xml_property_source(tmp_path: Path) -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata>
    <timestamp>2026-07-01T00:00:00Z</timestamp>
    <properties><property name="end-of-life">2035-12-31</property></properties>
  </metadata>
  <components><component type="library" bom-ref="zlib"><name>zlib</name><version>1.3.1</version></component></components>
</bom>
"""
    output = _analyze(_bundle(tmp_path / "b", {"sbom/ex1.cdx.xml": xml}, {"sbom/ex1.cdx.xml": "sbom"}))
    assert "2035-12-31" in _result(output, "SBD-12.04").rationale


def test_cyclonedx_property_that_is_not_a_date_is_reported(tmp_path: Path) -> None:
    sbom = _cyclonedx({"properties": [{"name": "eol", "value": "Q3 2035"}]})
    output = _analyze(_bundle(tmp_path / "b", {"sbom/ex1.cdx.json": sbom}, {"sbom/ex1.cdx.json": "sbom"}))
    assert _result(output, "SBD-12.04").status is Status.NOT_MET
    warning = next(p for p in output.problems if p.source == "support_period")
    assert warning.severity is Severity.WARNING and "'Q3 2035' is not an ISO 8601 date" in warning.message
    assert warning.where == "/metadata/properties"


def test_unreadable_sbom_is_reported(tmp_path: Path) -> None:
    broken = '{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"properties": [\n'
    output = _analyze(_bundle(tmp_path / "b", {"sbom/ex1.cdx.json": broken}, {"sbom/ex1.cdx.json": "sbom"}))
    problem = next(p for p in output.problems if p.source == "support_period")
    assert problem.path == "sbom/ex1.cdx.json" and problem.severity is Severity.ERROR
    assert "not searched for an end-of-support property" in problem.message
    assert _result(output, "SBD-12.04").status is Status.NOT_MET


def test_manifest_wins_over_other_sources(tmp_path: Path) -> None:
    sbom = _cyclonedx({"properties": [{"name": "end-of-support", "value": "2036-03-31"}]})
    output = _analyze(
        _bundle(tmp_path / "b", {"sbom/ex1.cdx.json": sbom}, {"sbom/ex1.cdx.json": "sbom"}, "2041-01-31")
    )
    assert "2041-01-31" in _result(output, "SBD-12.04").rationale
