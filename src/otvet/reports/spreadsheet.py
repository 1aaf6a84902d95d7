"""Shared helpers for spreadsheet outputs (XLSX through openpyxl, CSV).

Vendor text reaches these files (product names, rationales quoting documents), so every cell
is written as plain text: a value starting with ``=``, ``+``, ``-`` or ``@`` would otherwise be
stored or read back as a formula (OWASP "CSV injection"), and control characters that XML 1.0
forbids would make openpyxl refuse the whole workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from otvet.model import Basis, Status

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(vertical="top", wrap_text=True)

STATUS_TEXT: Mapping[Status, str] = {
    Status.MET: "✔ met",
    Status.PARTIALLY_MET: "◐ partially met",
    Status.NOT_MET: "✘ not met",
    Status.NOT_EVIDENCED: "? not evidenced",
    Status.NOT_APPLICABLE: "– not applicable",
}
"""Status with its symbol, so a sheet printed without colour still reads."""

STATUS_FILL: Mapping[Status, PatternFill] = {
    Status.MET: PatternFill("solid", fgColor="E6F4EA"),
    Status.PARTIALLY_MET: PatternFill("solid", fgColor="FDF1DC"),
    Status.NOT_MET: PatternFill("solid", fgColor="FBE4E2"),
    Status.NOT_EVIDENCED: PatternFill("solid", fgColor="EEF0F2"),
    Status.NOT_APPLICABLE: PatternFill("solid", fgColor="FFFFFF"),
}

BASIS_TEXT: Mapping[Basis, str] = {
    Basis.VERIFIED: "▣ verified",
    Basis.OBSERVED: "◉ observed",
    Basis.ATTESTED: "✎ attested",
    Basis.NONE: "none",
}


def clean(value: Any) -> Any:
    """A cell value safe for XLSX: text without XML-illegal control characters."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def csv_text(value: Any) -> str:
    """A CSV field that a spreadsheet will not run as a formula (OWASP CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def append(sheet: Worksheet, values: Sequence[Any]) -> int:
    """Append a row of plain values; returns its row number."""
    sheet.append([clean(v) for v in values])
    row = sheet.max_row
    for cell in sheet[row]:
        # NOTE: openpyxl stores any string that starts with "=" as a formula; we never
        # write formulas, so force such cells back to text.
        if cell.data_type == "f":
            cell.data_type = "s"
    return row


def header(sheet: Worksheet, columns: Sequence[str], widths: Iterable[float] = ()) -> None:
    """Write a bold, coloured, frozen header row with column widths."""
    append(sheet, columns)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def finish(sheet: Worksheet, *, freeze: str = "A2", wrap: bool = True) -> None:
    """Filters on every column, frozen header, wrapped top-aligned cells."""
    if sheet.max_row >= 1 and sheet.max_column >= 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(sheet.max_row, 1)}"
    sheet.freeze_panes = freeze
    if wrap:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = WRAP


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    book = Workbook()
    book.remove(book.worksheets[0])
    return book


def save(book: Workbook) -> bytes:
    """The workbook as XLSX bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(text: str, taken: Iterable[str]) -> str:
    """A worksheet title (at most 31 characters, none of ``[]:*?/\\``), unique among ``taken``."""
    base = "".join(ch for ch in text if ch not in "[]:*?/\\").strip() or "Sheet"
    base = base[:31]
    used = {t.lower() for t in taken}
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    return candidate
