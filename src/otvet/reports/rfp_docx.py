"""The procurement requirements as a Word document (procurement edits DOCX), via python-docx.

Headings use Word's built-in heading styles, so the navigation pane and a table of contents
work; must-haves are marked in bold capitals (readable in black and white); the compliance
matrix is a real table the bidder fills in.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from docx import Document
from docx.shared import Pt, RGBColor

from otvet.model.rfp import RfpDocument

MUST_COLOUR = RGBColor(0xB3, 0x26, 0x1E)
_PLACEHOLDER = re.compile(r"(\[[^\]]*\])")


class DocxRfpWriter:
    """Writes the requirements as DOCX."""

    format: ClassVar[str] = "docx"
    extension: ClassVar[str] = ".docx"

    def render(self, document: RfpDocument) -> bytes:
        return render_docx(document)


def _with_placeholders(paragraph: Any, text: str) -> None:
    """Add text, with ``[value]`` placeholders bold so the buyer finds them."""
    for part in _PLACEHOLDER.split(text):
        if part:
            run = paragraph.add_run(part)
            run.bold = bool(_PLACEHOLDER.fullmatch(part))


def render_docx(d: RfpDocument) -> bytes:
    """The DOCX bytes."""
    doc = Document()
    doc.core_properties.title = f"{d.title}: {d.profile_title}"
    doc.core_properties.subject = d.source_title
    doc.core_properties.author = "otvet"
    doc.core_properties.created = datetime(2025, 1, 13, tzinfo=UTC)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)

    must = sum(1 for c in d.clauses if c.must_have)
    doc.add_heading(d.title, level=0)
    intro = doc.add_paragraph()
    intro.add_run(f"Profile {d.profile_title} ({d.profile_id}), catalog {d.catalog_id} {d.catalog_version}: ")
    intro.add_run(f"{len(d.clauses)} requirements, {must} of them must-haves. ").bold = True
    intro.add_run(f"Derived from “{d.source_title}” (CISA and partners, January 2025) by otvet.")
    doc.add_paragraph().add_run(d.profile_description).italic = True

    doc.add_heading("Instructions to bidders", level=1)
    for text in d.instructions:
        doc.add_paragraph(text, style="List Number")

    doc.add_heading("Technical requirements", level=1)
    for section in d.sections:
        doc.add_heading(f"{section.number}. {section.name}", level=2)
        selection = doc.add_paragraph()
        selection.add_run(section.selection_criterion).italic = True
        for c in section.clauses:
            heading = doc.add_heading(level=3)
            heading.add_run(f"{c.number} {c.title}")
            meta = doc.add_paragraph()
            if c.must_have:
                flag = meta.add_run("MUST-HAVE ")
                flag.bold = True
                flag.font.color.rgb = MUST_COLOUR
            meta.add_run(f"{c.criterion_id} · weight {c.weight}").font.size = Pt(9)
            doc.add_paragraph(c.text)
            verification = doc.add_paragraph()
            verification.add_run("Verification: ").bold = True
            verification.add_run("; ".join(c.verification) + ".")
            evidence = doc.add_paragraph()
            evidence.add_run("Evidence the vendor delivers:").bold = True
            for phrase in c.evidence:
                doc.add_paragraph(phrase, style="List Bullet")

    doc.add_heading("Contract clauses", level=1)
    for clause in d.contract:
        doc.add_heading(f"{clause.number} {clause.title}", level=2)
        for text in clause.paragraphs:
            _with_placeholders(doc.add_paragraph(), text)
        if clause.criteria:
            refs = doc.add_paragraph()
            refs.add_run("Makes contractual: ").italic = True
            refs.add_run(", ".join(clause.criteria)).italic = True

    doc.add_heading("Compliance matrix", level=1)
    columns = ("Clause", "Criterion", "Requirement", "Must-have", "Weight", "Complies", "Evidence reference")
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for c in d.clauses:
        cells = table.add_row().cells
        for cell, value in zip(
            cells,
            (c.number, c.criterion_id, c.title, "MUST" if c.must_have else "", str(c.weight), "", ""),
            strict=True,
        ):
            cell.text = value
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
