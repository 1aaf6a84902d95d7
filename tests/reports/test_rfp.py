"""``otvet rfp``: numbered requirements (DOCX, Markdown), contract clauses, questionnaire."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from otvet.catalog import builtin_profiles, load_catalog, load_profile
from otvet.cli.app import main
from otvet.core.rfp import write_rfp
from otvet.reports.evidence_text import EVIDENCE_TEXT
from otvet.reports.rfp import CONTRACT_CLAUSES, build_rfp


@pytest.mark.parametrize("name", builtin_profiles())
def test_docx_holds_every_clause_and_marks_must_haves(name: str, tmp_path: Path) -> None:
    catalog = load_catalog()
    profile = load_profile(name, catalog)
    _, written = write_rfp(name, tmp_path)
    docx_path = next(p for p in written if p.suffix == ".docx")
    doc = Document(str(docx_path))
    paragraphs = [p.text for p in doc.paragraphs]
    text = "\n".join(paragraphs)
    for cid in profile.criteria:
        criterion = catalog.criterion(cid)
        assert criterion.requirement in paragraphs, cid
        marker = [p for p in paragraphs if p.endswith(f"{cid} · weight {profile.weight_of(criterion)}")]
        assert len(marker) == 1, cid
        assert marker[0].startswith("MUST-HAVE") == (cid in profile.must_have), cid
    assert sum(p.startswith("MUST-HAVE ") for p in paragraphs) == len(profile.must_have)
    for clause in CONTRACT_CLAUSES:
        assert any(p.startswith(clause.number) and clause.title in p for p in paragraphs)
    # readable evidence, e.g. what an SBOM criterion asks for
    if any(k.value == "sbom" for cid in profile.criteria for k in catalog.criterion(cid).evidence):
        assert EVIDENCE_TEXT[next(iter(k for k in EVIDENCE_TEXT if k.value == "sbom"))] in text
    [matrix] = doc.tables
    assert [row.cells[1].text for row in matrix.rows[1:]] == list(profile.criteria)
    assert {row.cells[1].text for row in matrix.rows[1:] if row.cells[3].text == "MUST"} == set(
        profile.must_have
    )


def test_markdown_and_questionnaire_beside_it(tmp_path: Path) -> None:
    profile = load_profile("standard")
    _, written = write_rfp("standard", tmp_path)
    assert sorted(p.suffix for p in written) == [".docx", ".md", ".xlsx"]
    markdown = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert markdown.count("**MUST-HAVE**") == len(profile.must_have)
    for cid in profile.criteria:
        assert f"`{cid}`" in markdown
    assert "**[10]** years" in markdown
    book = load_workbook(next(p for p in written if p.suffix == ".xlsx"), read_only=True)
    ids = [row[0] for row in book["Questionnaire"].iter_rows(min_row=2, values_only=True)]
    assert ids == list(profile.criteria)


def test_clause_numbers_and_contract_references() -> None:
    catalog = load_catalog()
    document = build_rfp(catalog, load_profile("strict", catalog))
    numbers = [c.number for c in document.clauses]
    assert len(numbers) == len(set(numbers))
    for section in document.sections:
        assert [c.number for c in section.clauses] == [
            f"{section.number}.{i}" for i in range(1, len(section.clauses) + 1)
        ]
    known = catalog.ids()
    for clause in CONTRACT_CLAUSES:
        assert set(clause.criteria) <= known, clause.number
    # the guide's lifecycle demands are all covered by a contract clause
    titles = " ".join(c.title.lower() for c in CONTRACT_CLAUSES)
    for topic in (
        "support period",
        "free of charge",
        "bill of materials",
        "disclosure",
        "remediation",
        "right to test",
    ):
        assert topic in titles


def test_cli_rfp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "rfp",
                "--profile",
                "essential",
                "--output",
                str(tmp_path),
                "--format",
                "md",
                "--no-questionnaire",
            ]
        )
        == 0
    )
    assert [p.name for p in tmp_path.iterdir()] == ["rfp-requirements-essential.md"]
    assert "must-haves" in capsys.readouterr().out
    assert main(["rfp", "--format", "pdf", "--output", str(tmp_path)]) == 2
