"""The assessment as an XLSX workbook: every criterion result and every finding, filterable.

Sheets: ``Summary``, ``Criteria`` (exactly the profile's criteria), ``Findings`` (blockers,
open must-haves, contradictions, follow-up questions, input problems), ``Elements``,
``Artifacts``, and one sheet per table an analyzer contributed (vulnerability matches, ...).
Statuses carry their symbol as well as a colour, so the sheet survives black-and-white printing.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model import Assessment, Catalog
from otvet.reports.findings import CRITERION_COLUMNS, FINDING_COLUMNS, criterion_rows, finding_rows
from otvet.reports.spreadsheet import (
    BASIS_TEXT,
    STATUS_FILL,
    STATUS_TEXT,
    append,
    finish,
    header,
    new_workbook,
    save,
    sheet_title,
)


class XlsxReporter:
    """Writes the assessment workbook."""

    format: ClassVar[str] = "xlsx"
    extension: ClassVar[str] = ".xlsx"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        return render_xlsx(assessment, catalog)


def render_xlsx(assessment: Assessment, catalog: Catalog) -> bytes:
    """The workbook as XLSX bytes."""
    a = assessment
    book = new_workbook()

    summary = book.create_sheet("Summary")
    header(summary, ["Field", "Value"], [34, 70])
    for field, value in (
        ("Vendor", a.product.vendor),
        ("Product", a.product.product),
        ("Version", a.product.version),
        ("Model numbers", ", ".join(a.product.model_numbers)),
        ("End of security support", a.product.end_of_support.isoformat() if a.product.end_of_support else ""),
        ("Profile", f"{a.profile_title} ({a.profile_id})"),
        ("Overall score (0-100)", a.scores.overall),
        ("Score resting on evidence (share)", a.scores.confidence),
        ("Criteria decided by evidence (share)", a.scores.verified_share),
        ("Claim credit (share of evidence)", a.scores.attested_share),
        ("Blockers", len(a.blockers)),
        ("Must-haves still open", len(a.pending_must_haves)),
        ("Contradictions", len(a.contradictions)),
        ("Follow-up questions", len(a.follow_ups)),
        ("Input problems", len(a.problems)),
        ("Assessed at", a.provenance.generated_at.isoformat()),
        ("Catalog", f"{a.provenance.catalog_id} {a.provenance.catalog_version}"),
        ("otvet", a.provenance.otvet_version),
        ("Bundle", a.provenance.bundle_source),
    ):
        row = append(summary, [field, value])
        if "share" in field:
            summary.cell(row, 2).number_format = "0%"
    finish(summary, freeze="B2")

    criteria = book.create_sheet("Criteria")
    header(criteria, CRITERION_COLUMNS, [11, 24, 40, 10, 8, 18, 13, 60, 40, 40, 40, 16, 60])
    status_col = CRITERION_COLUMNS.index("Status") + 1
    for r, outcome in zip(criterion_rows(a, catalog), a.outcomes, strict=True):
        values = {**r.values, "Status": STATUS_TEXT[outcome.status], "Basis": BASIS_TEXT[outcome.basis]}
        row = append(criteria, [values[c] for c in CRITERION_COLUMNS])
        criteria.cell(row, status_col).fill = STATUS_FILL[outcome.status]
    finish(criteria, freeze="C2")

    findings = book.create_sheet("Findings")
    header(findings, FINDING_COLUMNS, [18, 11, 36, 14, 10, 80, 28, 20, 16])
    for f in finding_rows(a, catalog):
        append(findings, [f.values[c] for c in FINDING_COLUMNS])
    finish(findings, freeze="B2")

    elements = book.create_sheet("Elements")
    header(
        elements,
        [
            "Element",
            "Score",
            "Evidence share",
            "Met",
            "Partially met",
            "Not met",
            "Not evidenced",
            "Not applicable",
        ],
        [34, 8, 14, 6, 13, 8, 13, 14],
    )
    for e in a.scores.elements:
        row = append(
            elements,
            [
                e.name,
                e.score,
                e.confidence,
                e.met,
                e.partially_met,
                e.not_met,
                e.not_evidenced,
                e.not_applicable,
            ],
        )
        elements.cell(row, 3).number_format = "0%"
    finish(elements, freeze="B2")

    artifacts = book.create_sheet("Artifacts")
    header(
        artifacts,
        ["Path", "Kind", "Format", "Size (bytes)", "SHA-256", "Recognised by", "Supplied by"],
        [40, 16, 26, 12, 66, 16, 16],
    )
    for art in a.artifacts:
        append(
            artifacts,
            [
                art.path,
                art.kind.value,
                art.format or "",
                art.size,
                art.sha256,
                art.detected_by,
                art.origin.value,
            ],
        )
    finish(artifacts)

    for section in a.sections:
        for table in section.tables:
            # Sheet names are short (31 characters) and cannot hold file names with slashes:
            # name the sheet after the section and keep the full table caption below the rows.
            sheet = book.create_sheet(sheet_title(section.title, book.sheetnames))
            header(sheet, table.columns, [24] * len(table.columns))
            for cells in table.rows:
                append(sheet, list(cells))
            append(sheet, [])
            append(sheet, [f"Table: {table.caption}"])
            if table.note:
                append(sheet, [table.note])
            finish(sheet)
    return save(book)
