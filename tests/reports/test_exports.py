"""Spreadsheet and print exports of one assessment: XLSX, CSV, PDF, and ``otvet report``."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from otvet.catalog import load_profile
from otvet.cli.app import main
from otvet.core.reports import write_reports
from otvet.model import Assessment
from otvet.reports.interface import ReportUnavailable


def _finding_count(a: Assessment) -> int:
    return (
        len(a.blockers)
        + len(a.pending_must_haves)
        + len(a.contradictions)
        + len(a.follow_ups)
        + len(a.problems)
    )


@pytest.mark.parametrize("name", ["northwind-rtu", "kestrel-plc"])
def test_xlsx_holds_every_criterion_and_finding(
    example_assessments: dict[str, Assessment], name: str, tmp_path: Path
) -> None:
    a = example_assessments[name]
    [path] = write_reports(a, tmp_path, ["xlsx"])
    book = load_workbook(path, read_only=True)
    criteria = list(book["Criteria"].iter_rows(values_only=True))
    assert [r[0] for r in criteria[1:]] == list(load_profile(a.profile_id).criteria)
    statuses = [r[criteria[0].index("Status")] for r in criteria[1:]]
    assert [s.split(" ", 1)[1].replace(" ", "_") for s in statuses] == [o.status.value for o in a.outcomes]
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert len(findings) - 1 == _finding_count(a)
    kinds = [r[0] for r in findings[1:]]
    assert kinds.count("follow-up question") == len(a.follow_ups)
    assert kinds.count("blocker") == len(a.blockers)
    tables = sum(len(s.tables) for s in a.sections)
    assert len(book.sheetnames) == 5 + tables


@pytest.mark.parametrize("name", ["northwind-rtu", "kestrel-plc"])
def test_csv_holds_every_criterion_and_finding(
    example_assessments: dict[str, Assessment], name: str, tmp_path: Path
) -> None:
    a = example_assessments[name]
    [path] = write_reports(a, tmp_path, ["csv"])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    criteria = [r for r in rows if r["Record"] == "criterion"]
    assert [r["ID"] for r in criteria] == [o.criterion_id for o in a.outcomes]
    assert [r["Status"] for r in criteria] == [o.status.value for o in a.outcomes]
    assert len(rows) - len(criteria) == _finding_count(a)


def test_spreadsheets_never_carry_formulas(
    example_assessments: dict[str, Assessment], tmp_path: Path
) -> None:
    a = example_assessments["northwind-rtu"]
    evil = '=HYPERLINK("http://evil.example","x")'
    outcomes = (replace(a.outcomes[0], rationale=evil + "\x07"), *a.outcomes[1:])
    hostile = replace(a, outcomes=outcomes, product=replace(a.product, vendor="+cmd|' /C calc'!A0"))
    xlsx, csv_path = write_reports(hostile, tmp_path, ["xlsx", "csv"])
    book = load_workbook(xlsx)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    rationale = book["Criteria"]["H2"]
    assert rationale.value == evil and rationale.data_type == "s"
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'" + evil.replace('"', '""') in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, re.MULTILINE)


@pytest.mark.browser
def test_pdf_prints_the_report(example_assessments: dict[str, Assessment], tmp_path: Path) -> None:
    from tests.browser import chromium_path

    chromium_path()  # skips (or fails under CI) without Chromium
    [path] = write_reports(example_assessments["northwind-rtu"], tmp_path, ["pdf"])
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 3, pages


def test_pdf_without_chromium_is_a_note_not_a_failure(
    example_assessments: dict[str, Assessment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTVET_CHROMIUM", str(tmp_path / "no-such-chromium"))
    a = example_assessments["kestrel-plc"]
    notes: list[str] = []
    written = write_reports(a, tmp_path, ["pdf", "html"], notes=notes)
    assert [p.suffix for p in written] == [".html"]
    assert len(notes) == 1 and "Chromium" in notes[0] and notes[0].startswith("pdf: skipped")
    with pytest.raises(ReportUnavailable):
        write_reports(a, tmp_path, ["pdf"])


def test_cli_report_writes_other_formats(
    example_json: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTVET_CHROMIUM", str(tmp_path / "no-such-chromium"))
    out = tmp_path / "out"
    assert main(["report", str(example_json[0]), "--format", "xlsx,csv,oscal,pdf", "--output", str(out)]) == 0
    suffixes = sorted(
        "".join(p.suffixes[-2:]) if p.name.endswith(".oscal.json") else p.suffix for p in out.iterdir()
    )
    assert suffixes == [".csv", ".oscal.json", ".xlsx"]
    captured = capsys.readouterr()
    assert "pdf: skipped" in captured.err
    assert main(["report", str(example_json[0]), "--format", "docx"]) == 2
