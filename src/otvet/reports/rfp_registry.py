"""The explicit table of RFP formats (``otvet rfp``). A new one is a module plus a line."""

from __future__ import annotations

from otvet.reports.interface import RfpWriter
from otvet.reports.rfp_docx import DocxRfpWriter
from otvet.reports.rfp_markdown import MarkdownRfpWriter

RFP_WRITERS: dict[str, type[RfpWriter]] = {
    DocxRfpWriter.format: DocxRfpWriter,
    MarkdownRfpWriter.format: MarkdownRfpWriter,
}


def rfp_writer(name: str) -> RfpWriter:
    """An RFP writer by format name; ``KeyError`` if unknown."""
    return RFP_WRITERS[name]()


def rfp_formats() -> tuple[str, ...]:
    """Known RFP format names."""
    return tuple(RFP_WRITERS)
