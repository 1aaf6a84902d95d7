"""``otvet compare``: the comparison page and workbook of the two example products (and of ten)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from otvet.catalog import load_catalog, load_profile
from otvet.core.compare import compare_files, write_comparison
from otvet.core.reports import write_reports
from otvet.model import Assessment, InputError, Status
from otvet.scoring.compare import compare
from otvet.scoring.weighted import basis_factor
from tests.reports.conftest import variant


class _Page(HTMLParser):
    """Collects the comparison matrix: product columns, criterion rows, their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.section: str | None = None
        self.product_headers: dict[str, list[str]] = {}
        self.rows: dict[str, dict[str, list[str]]] = {}
        self.cells: dict[str, list[dict[str, str]]] = {}
        self.row: str | None = None
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.urls += [v for k, v in a.items() if k in ("src", "href") and v and not v.startswith("#")]
        if tag == "section":
            self.section = a.get("id")
        if tag == "th" and "product" in a.get("class", "").split() and self.section:
            self.product_headers.setdefault(self.section, []).append(a["data-product"])
        if tag == "tr" and "data-criterion" in a and self.section:
            self.row = a["data-criterion"]
            self.rows.setdefault(self.section, {})[self.row] = []
            self.cells.setdefault(f"{self.section}:{self.row}", [])
        if tag == "td" and self.row and "cell" in a.get("class", "").split():
            self.cells[f"{self.section}:{self.row}"].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self.row = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_example_comparison_page(example_json: list[Path], tmp_path: Path) -> None:
    comparison = compare_files(example_json)
    html_path, xlsx_path = write_comparison(comparison, tmp_path)
    page = _parse(html_path.read_text(encoding="utf-8"))
    assessments = [p.assessment for p in comparison.products]
    profile = load_profile("standard")

    # one column per product, in the order given
    assert page.product_headers["matrix"] == ["A", "B"]
    assert page.product_headers["summary"] == ["A", "B"]
    # one row per criterion of the profile, each with one cell per product showing its verdict
    assert list(page.rows["matrix"]) == list(profile.criteria)
    for criterion_id in profile.criteria:
        cells = page.cells[f"matrix:{criterion_id}"]
        assert [c["data-product"] for c in cells] == ["A", "B"]
        for cell, assessment in zip(cells, assessments, strict=True):
            outcome = assessment.outcome(criterion_id)
            assert cell["data-status"] == outcome.status.value
            assert cell["data-basis"] == outcome.basis.value
    # decisive differences: non-empty, and exactly the criteria where the points differ most
    # (a blocker for one product but not the other first), recomputed here from the assessments
    expected = []
    for cid in profile.criteria:
        outcomes = [a.outcome(cid) for a in assessments]
        if any(o.status is Status.NOT_APPLICABLE for o in outcomes):
            continue
        points = [
            o.weight * o.status.credit * basis_factor(o.basis, a.scores.attested_share)
            for o, a in zip(outcomes, assessments, strict=True)
        ]
        blocked = [any(b.criterion_id == cid for b in a.blockers) for a in assessments]
        spread = max(points) - min(points)
        if spread > 0 or any(blocked) != all(blocked):
            must = any(o.must_have for o in outcomes)
            weight = max(o.weight for o in outcomes)
            expected.append((not any(blocked), -spread, not must, -weight, cid))
    expected_ids = [key[-1] for key in sorted(expected)][: len(comparison.differences)]
    assert list(page.rows["differences"]) == expected_ids
    assert expected_ids, "differences section is empty"
    # self-contained
    assert "script" not in page.tags and page.urls == []
    assert "svg" in page.tags

    # the workbook holds exactly the profile's criteria, one status column per product
    book = load_workbook(xlsx_path, read_only=True)
    sheet = book["Criteria"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][6:] == ("A status", "A basis", "B status", "B basis")
    assert [r[0] for r in rows[1:]] == list(profile.criteria)
    summary = {r[0]: r[1:] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary["Overall score (0-100)"] == tuple(a.scores.overall for a in assessments)


def test_different_profiles_are_flagged(
    example_assessments: dict[str, Assessment], asset: object, tmp_path: Path
) -> None:
    from otvet.core import assess
    from tests.reports.conftest import NOW

    tiny = assess(asset("bundles/tiny"), profile="essential", now=NOW)  # type: ignore[operator]
    paths = [
        write_reports(example_assessments["kestrel-plc"], tmp_path, ["json"])[0],
        write_reports(tiny, tmp_path, ["json"])[0],
    ]
    comparison = compare_files(paths)
    assert comparison.profiles_differ
    assert any("different profiles" in w for w in comparison.warnings)
    html = write_comparison(comparison, tmp_path / "out", ["html"])[0].read_text(encoding="utf-8")
    assert 'id="profile-warning"' in html
    page = _parse(html)
    # the union of both profiles' criteria; criteria outside the essential profile are "not assessed"
    union = set(load_profile("standard").criteria) | set(load_profile("essential").criteria)
    assert set(page.rows["matrix"]) == union
    outside = next(c for c in load_profile("standard").criteria if not load_profile("essential").selects(c))
    assert "na" in page.cells[f"matrix:{outside}"][1]["class"].split()


def test_ten_products_and_limits(example_assessments: dict[str, Assessment], tmp_path: Path) -> None:
    bases = list(example_assessments.values())
    ten = [("variant", variant(bases[i % 2], i)) for i in range(10)]
    comparison = compare(load_catalog(), ten)
    assert [p.key for p in comparison.products] == list("ABCDEFGHIJ")
    assert comparison.differences
    html = write_comparison(comparison, tmp_path, ["html"])[0].read_text(encoding="utf-8")
    page = _parse(html)
    assert page.product_headers["matrix"] == list("ABCDEFGHIJ")
    assert all(len(cells) == 10 for key, cells in page.cells.items() if key.startswith("matrix:"))
    with pytest.raises(InputError, match="2 to 10"):
        compare(load_catalog(), [*ten, ten[0]])
    with pytest.raises(InputError, match="2 to 10"):
        compare(load_catalog(), ten[:1])


def test_hostile_product_names_are_escaped_and_not_formulas(
    example_assessments: dict[str, Assessment], tmp_path: Path
) -> None:
    from dataclasses import replace

    base = example_assessments["northwind-rtu"]
    evil = replace(
        base,
        product=replace(
            base.product, vendor='=HYPERLINK("http://evil.example")', product="<script>x</script>"
        ),
    )
    source = '=HYPERLINK("http://evil.example")'
    comparison = compare(load_catalog(), [(source, evil), ("b.json", example_assessments["kestrel-plc"])])
    html_path, xlsx_path = write_comparison(comparison, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    book = load_workbook(xlsx_path)
    [source_row] = [row for row in book["Summary"].iter_rows() if row[0].value == "Assessment file"]
    assert source_row[1].value == source and source_row[1].data_type == "s"
    assert all(cell.data_type != "f" for row in book["Summary"].iter_rows() for cell in row)


def test_cli_compare(example_json: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from otvet.cli.app import main

    assert main(["compare", *map(str, example_json), "--output", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comparison.html", "comparison.xlsx"]
    printed = capsys.readouterr().out
    assert "Decisive differences" in printed
    assert main(["compare", str(example_json[0]), "--output", str(tmp_path)]) == 2
    assert "2 to 10" in capsys.readouterr().err
    assert main(["compare", *map(str, example_json), "--format", "pdf", "--output", str(tmp_path)]) == 2
