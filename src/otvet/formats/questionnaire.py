"""Vendor questionnaires: written from the catalog, read back as attestations.

Two forms carry the same content:

- XLSX for people: sheet ``Questionnaire`` with one row per criterion (ID, Element, Title,
  Question, Must-have, Answer with a Yes / Partial / No / Not applicable drop-down, Evidence
  reference, Comment), sheet ``Product`` for who answers for what, sheet ``Instructions``.
- YAML for machines::

      otvet_questionnaire: 1
      profile: standard
      vendor: Northwind Controls
      product: NW-RTU 500
      version: 3.2.1
      respondent: psirt@example.com
      date: 2026-10-01
      answers:
        SBD-06.01: {answer: "Yes", evidence: config/defaults.json, comment: unique per device}

Reading collects every malformed answer (sheet, row and column, or YAML path) into one
:class:`QuestionnaireError`; an unanswered question is not an error, it stays unanswered.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from otvet.model import (
    ANSWER_CHOICES,
    Answer,
    Catalog,
    CriterionId,
    LimitExceeded,
    Location,
    Profile,
    QuestionnaireAnswer,
    QuestionnaireError,
    QuestionnaireResponse,
    RejectedAnswer,
)
from otvet.safeio import DEFAULT_LIMITS, Limits, decode_text, parse_json, parse_yaml, read_bytes

SHEET = "Questionnaire"
PRODUCT_SHEET = "Product"
COLUMNS = ("ID", "Element", "Title", "Question", "Must-have", "Answer", "Evidence reference", "Comment")
WIDTHS = (11, 22, 34, 70, 10, 16, 34, 40)
PRODUCT_FIELDS = ("Vendor", "Product", "Version", "Respondent", "Date", "Profile")
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024


def _rows(catalog: Catalog, profile: Profile) -> list[tuple[str, str, str, str, str]]:
    rows: list[tuple[str, str, str, str, str]] = []
    for cid in profile.criteria:
        criterion = catalog.criterion(cid)
        element = catalog.element(criterion.element)
        must = "yes" if cid in profile.must_have else ""
        rows.append((cid, element.name, criterion.title, criterion.question, must))
    return rows


def write_xlsx(catalog: Catalog, profile: Profile, *, product: dict[str, str] | None = None) -> bytes:
    """A questionnaire workbook for the profile, ready to send to a vendor."""
    book = Workbook()
    sheet = book.create_sheet(SHEET, 0)
    default = book.worksheets[1]
    book.remove(default)
    sheet.append(COLUMNS)
    header_fill = PatternFill("solid", fgColor="1F3A5F")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in _rows(catalog, profile):
        sheet.append([*row, None, None, None])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    last = sheet.max_row
    answer_col = get_column_letter(COLUMNS.index("Answer") + 1)
    choices = ",".join(ANSWER_CHOICES)
    validation = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Answer",
        error=f"Choose one of: {', '.join(ANSWER_CHOICES)}",
    )
    validation.add(f"{answer_col}2:{answer_col}{max(last, 2)}")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"

    info = book.create_sheet(PRODUCT_SHEET)
    info.append(("Field", "Value"))
    values = {"Profile": profile.id, **(product or {})}
    for name in PRODUCT_FIELDS:
        info.append((name, values.get(name, "")))
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 50

    notes = book.create_sheet("Instructions")
    for line in (
        "Secure by Demand questionnaire (otvet)",
        "",
        f"Profile: {profile.title} ({profile.id}), catalog {catalog.id} {catalog.version}.",
        "Answer every question in the Answer column: Yes, Partial, No or Not applicable.",
        "Evidence reference: the file in your evidence bundle (e.g. sbom/product.cdx.json),",
        "a document and section, or a public URL that shows the answer is true.",
        "Rows marked Must-have are decisive for the purchase.",
        "Claims are weighed less than evidence: attach what proves each answer.",
        "Fill in the Product sheet (vendor, product, version, respondent, date).",
    ):
        notes.append((line,))
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_yaml(catalog: Catalog, profile: Profile) -> str:
    """The YAML form of the questionnaire, with every question as a comment."""
    lines = [
        "# Secure by Demand questionnaire (otvet). Answer each question with",
        '# "Yes", "Partial", "No" or "Not applicable"; cite evidence where you can.',
        "otvet_questionnaire: 1",
        f"profile: {profile.id}",
        'vendor: ""',
        'product: ""',
        'version: ""',
        'respondent: ""',
        "date: null",
        "answers:",
    ]
    for cid, element, title, question, must in _rows(catalog, profile):
        flag = " [MUST-HAVE]" if must else ""
        lines.append(f"  # {element}: {title}{flag}")
        lines.append(f"  # {question}")
        lines.append(f'  {cid}: {{answer: "", evidence: "", comment: ""}}')
    return "\n".join(lines) + "\n"


def read_questionnaire(
    path: Path,
    catalog: Catalog,
    *,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    lenient: bool = False,
) -> QuestionnaireResponse:
    """Read a filled questionnaire (XLSX, YAML or JSON), validating every answer.

    Strict (the default, for ``otvet questionnaire import``): any malformed answer raises a
    :class:`QuestionnaireError` listing every problem with its location. Lenient (for an
    assessment): the readable answers are kept and each malformed row is returned in
    ``rejected`` with its location, so one typo does not throw away a vendor's other answers
    and the criteria it concerns can be reported as not evidenced. A file that is not a
    questionnaire at all raises in both modes.
    """
    shown = display or str(path)
    data = read_bytes(path, display=shown, limits=limits)
    if data.startswith(b"PK\x03\x04"):
        response, problems = _read_xlsx(data, catalog, shown)
    else:
        text = decode_text(data, shown)
        raw = (
            parse_json(text, shown, limits=limits)
            if text.lstrip().startswith("{")
            else parse_yaml(text, shown, limits=limits)
        )
        response, problems = _read_document(raw, catalog, shown)
    if not problems:
        return response
    if not lenient:
        raise QuestionnaireError(
            f"{shown}: {len(problems)} malformed answers", [(loc, msg) for loc, msg, _ in problems]
        )
    rejected = tuple(
        RejectedAnswer(loc.where or "", msg, CriterionId(cid) if cid else None) for loc, msg, cid in problems
    )
    return replace(response, rejected=rejected)


_Problems = list[tuple[Location, str, str | None]]
"""Malformed rows: location, message, and the criterion id when the catalog knows it."""


def _check_zip(data: bytes, display: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise QuestionnaireError(f"{display}: not a readable XLSX workbook ({exc})") from exc
    if total > MAX_XLSX_UNCOMPRESSED:
        raise LimitExceeded(
            f"workbook inflates to {total} bytes, above the {MAX_XLSX_UNCOMPRESSED} byte limit",
            Location(display),
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes, catalog: Catalog, display: str) -> tuple[QuestionnaireResponse, _Problems]:
    _check_zip(data, display)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on bad input
        raise QuestionnaireError(f"{display}: not a readable XLSX workbook ({exc})") from exc
    try:
        if SHEET not in book.sheetnames:
            raise QuestionnaireError(
                f"{display}: no sheet named {SHEET!r} (found {', '.join(book.sheetnames)})"
            )
        sheet = book[SHEET]
        rows = sheet.iter_rows(values_only=True)
        header = [(_text(h)).lower() for h in next(rows, ())]
        columns = {name: index for index, name in enumerate(header) if name}
        missing = [
            (Location(display, f"sheet {SHEET!r} row 1"), f"missing column {required.title()!r}")
            for required in ("id", "answer")
            if required not in columns
        ]
        if missing:
            raise QuestionnaireError(f"{display}: malformed questionnaire", missing)
        problems: _Problems = []
        answers = []
        seen: dict[str, int] = {}
        known = catalog.ids()
        for row_number, row in enumerate(rows, start=2):

            def cell(name: str, row: tuple[Any, ...] = row) -> str:
                index = columns.get(name)
                return _text(row[index]) if index is not None and index < len(row) else ""

            cid = cell("id")
            if not cid:
                continue
            id_col = get_column_letter(columns["id"] + 1)
            answer_col = get_column_letter(columns["answer"] + 1)
            if cid not in known:
                problems.append(
                    (
                        Location(display, f"sheet {SHEET!r} row {row_number} column {id_col}"),
                        f"unknown criterion id {cid!r}",
                        None,
                    )
                )
                continue
            if cid in seen:
                problems.append(
                    (
                        Location(display, f"sheet {SHEET!r} row {row_number} column {id_col}"),
                        f"{cid} answered twice (first in row {seen[cid]}); this answer is not used",
                        None,
                    )
                )
                continue
            seen[cid] = row_number
            raw_answer = cell("answer")
            try:
                answer = Answer.parse(raw_answer)
            except ValueError:
                problems.append(
                    (
                        Location(display, f"sheet {SHEET!r} row {row_number} column {answer_col}"),
                        f"answer {raw_answer!r} is not one of {', '.join(ANSWER_CHOICES)}",
                        cid,
                    )
                )
                continue
            answers.append(
                QuestionnaireAnswer(
                    criterion_id=CriterionId(cid),
                    answer=answer,
                    evidence=cell("evidence reference") or None,
                    comment=cell("comment") or None,
                    location=f"sheet {SHEET!r} row {row_number}",
                )
            )
        info = _product_sheet(book)
    finally:
        book.close()
    answered_on = None
    if info.get("date"):
        try:
            answered_on = date.fromisoformat(info["date"][:10])
        except ValueError:
            problems.append(
                (
                    Location(display, f"sheet {PRODUCT_SHEET!r} field Date"),
                    f"not an ISO date: {info['date']!r}",
                    None,
                )
            )
    response = QuestionnaireResponse(
        path=display,
        answers=tuple(answers),
        vendor=info.get("vendor") or None,
        product=info.get("product") or None,
        version=info.get("version") or None,
        respondent=info.get("respondent") or None,
        answered_on=answered_on,
        profile_id=info.get("profile") or None,
    )
    return response, problems


def _product_sheet(book: Any) -> dict[str, str]:
    if PRODUCT_SHEET not in book.sheetnames:
        return {}
    values: dict[str, str] = {}
    for row in book[PRODUCT_SHEET].iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            values[_text(row[0]).lower()] = _text(row[1]) if len(row) > 1 else ""
    return values


def _read_document(raw: Any, catalog: Catalog, display: str) -> tuple[QuestionnaireResponse, _Problems]:
    problems: _Problems = []
    if not isinstance(raw, dict) or "answers" not in raw:
        raise QuestionnaireError(f"{display}: not a questionnaire (expected a mapping with 'answers')")
    items = raw["answers"]
    if isinstance(items, list):  # list form: [{id: SBD-.., answer: ..}]
        pairs = [
            (str(i.get("id", "")) if isinstance(i, dict) else "", i, f"/answers/{n}")
            for n, i in enumerate(items)
        ]
    elif isinstance(items, dict):
        pairs = [(str(k), v, f"/answers/{k}") for k, v in items.items()]
    else:
        raise QuestionnaireError(f"{display}: 'answers' must be a mapping or a list")
    known = catalog.ids()
    answers = []
    seen: dict[str, str] = {}
    for cid, value, where in pairs:
        if cid not in known:
            problems.append((Location(display, where), f"unknown criterion id {cid!r}", None))
            continue
        if cid in seen:
            problems.append(
                (
                    Location(display, where),
                    f"{cid} answered twice (first at {seen[cid]}); this answer is not used",
                    None,
                )
            )
            continue
        seen[cid] = where
        entry = value if isinstance(value, dict) else {"answer": value}
        raw_answer = entry.get("answer")
        if isinstance(raw_answer, bool):  # YAML 1.1 reads a bare yes/no as a boolean
            raw_answer = "yes" if raw_answer else "no"
        try:
            answer = Answer.parse("" if raw_answer is None else str(raw_answer))
        except ValueError:
            problems.append(
                (
                    Location(display, f"{where}/answer"),
                    f"answer {raw_answer!r} is not one of {', '.join(ANSWER_CHOICES)}",
                    cid,
                )
            )
            continue
        answers.append(
            QuestionnaireAnswer(
                criterion_id=CriterionId(cid),
                answer=answer,
                evidence=_text(entry.get("evidence")) or None,
                comment=_text(entry.get("comment")) or None,
                location=where,
            )
        )
    answered = raw.get("date")
    answered_on: date | None = None
    if isinstance(answered, date):
        answered_on = answered
    elif answered:
        try:
            answered_on = date.fromisoformat(str(answered))
        except ValueError:
            problems.append((Location(display, "/date"), f"not an ISO date: {answered!r}", None))
    response = QuestionnaireResponse(
        path=display,
        answers=tuple(answers),
        vendor=_text(raw.get("vendor")) or None,
        product=_text(raw.get("product")) or None,
        version=_text(raw.get("version")) or None,
        respondent=_text(raw.get("respondent")) or None,
        answered_on=answered_on,
        profile_id=_text(raw.get("profile")) or None,
    )
    return response, problems


def dump_yaml_answers(response: QuestionnaireResponse) -> str:
    """Serialise a response to the YAML form (used to convert XLSX answers)."""
    doc = {
        "otvet_questionnaire": 1,
        "profile": response.profile_id,
        "vendor": response.vendor,
        "product": response.product,
        "version": response.version,
        "respondent": response.respondent,
        "date": response.answered_on.isoformat() if response.answered_on else None,
        "answers": {
            a.criterion_id: {"answer": a.answer.label, "evidence": a.evidence, "comment": a.comment}
            for a in response.answers
        },
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
