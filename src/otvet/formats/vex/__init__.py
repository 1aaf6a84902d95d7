"""VEX readers: every VEX format into :class:`~otvet.model.vex.VexStatement` values.

``read_vex(path)`` is the one entry point. Formats are recognised by content through the
explicit :data:`VEX_READERS` table, one module per format, each exposing
``recognise(doc) -> bool`` and ``read(doc, display) -> VexDocument``. Adding a format is one
module plus one line in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from otvet.formats.vex import csaf, cyclonedx, openvex
from otvet.model import FormatError, Location
from otvet.model.vulnerabilities import VexDocument
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json

Recognise = Callable[[Any], bool]
Read = Callable[[Any, str], VexDocument]

VEX_READERS: tuple[tuple[str, Recognise, Read], ...] = (
    ("openvex", openvex.recognise, openvex.read),
    ("cyclonedx", cyclonedx.recognise, cyclonedx.read),
    ("csaf", csaf.recognise, csaf.read),
)
"""(format name, recogniser, reader), tried in order; the first that recognises a document
reads it."""


def vex_formats() -> tuple[str, ...]:
    """Names of the VEX formats otvet reads."""
    return tuple(name for name, _, _ in VEX_READERS)


def read_vex_document(doc: Any, display: str) -> VexDocument:
    """Read an already parsed document; raises :class:`FormatError` when no reader knows it."""
    for _, recognise, read in VEX_READERS:
        if recognise(doc):
            return read(doc, display)
    raise FormatError(f"not a VEX document otvet reads ({', '.join(vex_formats())})", Location(display))


def read_vex(path: Path, *, display: str | None = None, limits: Limits = DEFAULT_LIMITS) -> VexDocument:
    """Read a VEX file (JSON) through ``otvet.safeio``."""
    shown = display or str(path)
    return read_vex_document(load_json(path, display=shown, limits=limits), shown)


__all__ = ["VEX_READERS", "read_vex", "read_vex_document", "vex_formats"]
