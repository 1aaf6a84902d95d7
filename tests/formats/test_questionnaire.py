"""Questionnaires: XLSX and YAML export, round trip, and located errors for malformed answers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from otvet.catalog import load_catalog, load_profile
from otvet.formats.questionnaire import COLUMNS, read_questionnaire, write_xlsx, write_yaml
from otvet.model import ANSWER_CHOICES, Answer, QuestionnaireError

CYCLE = ["Yes", "Partial", "No", "Not applicable", None]


def _filled_workbook(tmp_path: Path, profile: str = "standard", edit: object = None) -> Path:
    catalog, chosen = load_catalog(), load_profile(profile)
    book = load_workbook(io.BytesIO(write_xlsx(catalog, chosen, product={"Vendor": "Kestrel"})))
    sheet = book["Questionnaire"]
    answer_col = COLUMNS.index("Answer") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=answer_col, value=CYCLE[(row - 2) % len(CYCLE)])
        sheet.cell(row=row, column=answer_col + 1, value=f"docs/evidence-{row}.md")
    if edit is not None:
        edit(sheet)  # type: ignore[operator]
    path = tmp_path / "q.xlsx"
    book.save(path)
    return path


def test_export_has_one_row_per_profile_criterion_and_a_dropdown() -> None:
    catalog, profile = load_catalog(), load_profile("standard")
    book = load_workbook(io.BytesIO(write_xlsx(catalog, profile)))
    sheet = book["Questionnaire"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    ids = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert ids == list(profile.criteria)
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].formula1 == '"' + ",".join(ANSWER_CHOICES) + '"'
    assert str(validations[0].sqref) == f"F2:F{sheet.max_row}"
    must = {
        sheet.cell(row=r, column=1).value
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=5).value
    }
    assert must == set(profile.must_have)
    assert {"Product", "Instructions"} <= set(book.sheetnames)


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = _filled_workbook(tmp_path)
    response = read_questionnaire(path, load_catalog())
    profile = load_profile("standard")
    assert [a.criterion_id for a in response.answers] == list(profile.criteria)
    expected = [Answer.parse(CYCLE[i % len(CYCLE)] or "") for i in range(len(profile.criteria))]
    assert [a.answer for a in response.answers] == expected
    assert response.answers[0].evidence == "docs/evidence-2.md"
    assert response.answers[0].location == "sheet 'Questionnaire' row 2"
    assert response.vendor == "Kestrel" and response.profile_id == "standard"


def test_malformed_answers_are_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    def edit(sheet: object) -> None:
        sheet.cell(row=5, column=6, value="Maybe")  # type: ignore[attr-defined]
        sheet.cell(row=7, column=1, value="SBD-99.01")  # type: ignore[attr-defined]
        sheet.cell(row=9, column=1, value=sheet.cell(row=2, column=1).value)  # type: ignore[attr-defined]

    path = _filled_workbook(tmp_path, edit=edit)
    with pytest.raises(QuestionnaireError) as info:
        read_questionnaire(path, load_catalog())
    problems = {str(loc): msg for loc, msg in info.value.problems}
    assert (
        "answer 'Maybe' is not one of Yes, Partial, No, Not applicable"
        in problems[f"{path}: sheet 'Questionnaire' row 5 column F"]
    )
    assert "unknown criterion id 'SBD-99.01'" in problems[f"{path}: sheet 'Questionnaire' row 7 column A"]
    assert "answered twice (first in row 2)" in problems[f"{path}: sheet 'Questionnaire' row 9 column A"]


def test_missing_answer_column_is_reported(tmp_path: Path) -> None:
    path = _filled_workbook(tmp_path, edit=lambda sheet: sheet.delete_cols(6))
    with pytest.raises(QuestionnaireError) as info:
        read_questionnaire(path, load_catalog())
    assert "missing column 'Answer'" in info.value.diagnostics()


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(QuestionnaireError, match="not a readable XLSX workbook"):
        read_questionnaire(path, load_catalog())


def test_yaml_form_round_trip(tmp_path: Path) -> None:
    text = write_yaml(load_catalog(), load_profile("essential"))
    text = text.replace('SBD-06.01: {answer: ""', 'SBD-06.01: {answer: "Yes"').replace(
        'SBD-11.01: {answer: ""', 'SBD-11.01: {answer: "Partial"'
    )
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    response = read_questionnaire(path, load_catalog())
    answers = {a.criterion_id: a.answer for a in response.answers}
    assert answers["SBD-06.01"] is Answer.YES and answers["SBD-11.01"] is Answer.PARTIAL
    assert (
        sum(1 for a in answers.values() if a is Answer.UNANSWERED)
        == len(load_profile("essential").criteria) - 2
    )


def test_yaml_bare_yes_no_booleans_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "otvet_questionnaire: 1\nanswers:\n  SBD-06.01: yes\n  SBD-11.01: {answer: no}\n", encoding="utf-8"
    )
    answers = {a.criterion_id: a.answer for a in read_questionnaire(path, load_catalog()).answers}
    assert answers == {"SBD-06.01": Answer.YES, "SBD-11.01": Answer.NO}


def test_yaml_errors_carry_their_path(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "otvet_questionnaire: 1\nanswers:\n  SBD-06.01: {answer: sometimes}\n  SBD-77.01: Yes\n",
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireError) as info:
        read_questionnaire(path, load_catalog())
    where = {loc.where for loc, _ in info.value.problems}
    assert where == {"/answers/SBD-06.01/answer", "/answers/SBD-77.01"}


def test_lenient_read_keeps_the_readable_answers_and_locates_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "otvet_questionnaire: 1\ndate: yesterday\nanswers:\n"
        "  SBD-06.01: {answer: sometimes}\n  SBD-77.01: Yes\n  SBD-11.01: {answer: Partial}\n",
        encoding="utf-8",
    )
    response = read_questionnaire(path, load_catalog(), lenient=True)
    assert [(a.criterion_id, a.answer) for a in response.answers] == [("SBD-11.01", Answer.PARTIAL)]
    rejected = {r.location: r for r in response.rejected}
    assert set(rejected) == {"/answers/SBD-06.01/answer", "/answers/SBD-77.01", "/date"}
    assert rejected["/answers/SBD-06.01/answer"].criterion_id == "SBD-06.01"
    assert "'sometimes' is not one of" in rejected["/answers/SBD-06.01/answer"].message
    assert rejected["/answers/SBD-77.01"].criterion_id is None  # not a catalog id
    assert response.answered_on is None
    # The strict read of the same file raises with every problem.
    with pytest.raises(QuestionnaireError) as info:
        read_questionnaire(path, load_catalog())
    assert len(info.value.problems) == 3


def test_list_form_answering_a_criterion_twice_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "answers:\n  - {id: SBD-06.01, answer: Yes}\n  - {id: SBD-06.01, answer: No}\n", encoding="utf-8"
    )
    response = read_questionnaire(path, load_catalog(), lenient=True)
    assert [a.answer for a in response.answers] == [Answer.YES]
    (twice,) = response.rejected
    assert twice.location == "/answers/1" and "answered twice (first at /answers/0)" in twice.message
