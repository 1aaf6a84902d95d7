"""The comparison workbook: the side-by-side matrix as XLSX, for committees that score in Excel.

Sheets: ``Summary`` (one column per product), ``Criteria`` (one row per criterion, status and
basis per product, coloured and with symbols), ``Elements``, ``Differences`` and ``Blockers``.
Every sheet has filters and a frozen header.
"""

from __future__ import annotations

from typing import ClassVar

from openpyxl.styles import Font

from otvet.model import Catalog
from otvet.model.comparison import Comparison
from otvet.reports.spreadsheet import (
    BASIS_TEXT,
    STATUS_FILL,
    STATUS_TEXT,
    append,
    finish,
    header,
    new_workbook,
    save,
)

NOT_ASSESSED = "not assessed"


class XlsxComparisonReporter:
    """Writes the comparison workbook."""

    format: ClassVar[str] = "xlsx"
    extension: ClassVar[str] = ".xlsx"

    def render(self, comparison: Comparison, catalog: Catalog) -> bytes:
        return render_comparison_xlsx(comparison, catalog)


def render_comparison_xlsx(comparison: Comparison, catalog: Catalog) -> bytes:
    """The comparison workbook as XLSX bytes."""
    book = new_workbook()
    products = comparison.products

    summary = book.create_sheet("Summary")
    header(summary, ["", *(f"{p.key}: {p.label}" for p in products)], [44, *([26] * len(products))])
    metrics = (
        ("Profile", lambda a: f"{a.profile_title} ({a.profile_id})"),
        ("Overall score (0-100)", lambda a: a.scores.overall),
        ("Score resting on evidence (share)", lambda a: a.scores.confidence),
        ("Criteria decided by evidence (share)", lambda a: a.scores.verified_share),
        ("Blockers", lambda a: len(a.blockers)),
        ("Must-haves still open", lambda a: len(a.pending_must_haves)),
        ("Contradictions", lambda a: len(a.contradictions)),
        ("Follow-up questions", lambda a: len(a.follow_ups)),
        ("Claim credit (share of evidence)", lambda a: a.scores.attested_share),
        ("Assessed at", lambda a: a.provenance.generated_at.isoformat()),
    )
    for name, value in metrics:
        row = append(summary, [name, *(value(p.assessment) for p in products)])
        if "share" in name:
            for cell in summary[row][1:]:
                cell.number_format = "0%"
    append(summary, ["Assessment file", *(p.source for p in products)])
    for warning in comparison.warnings:
        append(summary, [])
        append(summary, ["Warning", warning])
        summary.cell(summary.max_row, 1).font = Font(bold=True, color="A36A00")
    finish(summary, freeze="B2")

    criteria = book.create_sheet("Criteria")
    columns = ["ID", "Element", "Criterion", "Weight", "Must-have", "Spread (points)"]
    for p in products:
        columns += [f"{p.key} status", f"{p.key} basis"]
    header(criteria, columns, [11, 24, 46, 8, 10, 10, *([17, 13] * len(products))])
    for r in comparison.rows:
        element = catalog.element(r.element)
        values: list[object] = [
            r.criterion_id,
            f"{element.number}. {element.name}",
            r.title,
            r.weight,
            "yes" if r.must_have else "",
            r.spread,
        ]
        for cell in r.cells:
            if cell.status is None or cell.basis is None:
                values += [NOT_ASSESSED, ""]
            else:
                status = STATUS_TEXT[cell.status] + (" ⚠" if cell.contradiction else "")
                values += [status, BASIS_TEXT[cell.basis]]
        row = append(criteria, values)
        for index, cell in enumerate(r.cells):
            if cell.status is not None:
                criteria.cell(row, 7 + 2 * index).fill = STATUS_FILL[cell.status]
    finish(criteria, freeze="D2")

    elements = book.create_sheet("Elements")
    header(elements, ["Element", *(f"{p.key} score" for p in products)], [34, *([12] * len(products))])
    append(elements, ["Overall", *(p.assessment.scores.overall for p in products)])
    for element in catalog.elements:
        scores = []
        for p in products:
            match = [e for e in p.assessment.scores.elements if e.element == element.key]
            scores.append(match[0].score if match else None)
        append(elements, [f"{element.number}. {element.name}", *scores])
    finish(elements, freeze="B2")

    diffs = book.create_sheet("Differences")
    header(
        diffs,
        ["Rank", "ID", "Criterion", "Weight", "Must-have", "Spread (points)", "Best", "Worst", "Blocker for"],
        [6, 11, 46, 8, 10, 10, 12, 12, 14],
    )
    for rank, d in enumerate(comparison.differences, start=1):
        append(
            diffs,
            [
                rank,
                d.criterion_id,
                d.title,
                d.weight,
                "yes" if d.must_have else "",
                d.spread,
                ", ".join(d.best),
                ", ".join(d.worst),
                ", ".join(d.blocks),
            ],
        )
    finish(diffs)

    blockers = book.create_sheet("Blockers")
    header(
        blockers,
        ["Key", "Product", "Kind", "ID", "Criterion", "Status", "Reason"],
        [6, 30, 16, 11, 40, 18, 70],
    )
    for p in products:
        for kind, items in (
            ("blocker", p.assessment.blockers),
            ("open must-have", p.assessment.pending_must_haves),
        ):
            for b in items:
                row = append(
                    blockers, [p.key, p.label, kind, b.criterion_id, b.title, STATUS_TEXT[b.status], b.reason]
                )
                blockers.cell(row, 6).fill = STATUS_FILL[b.status]
    finish(blockers)
    return save(book)
