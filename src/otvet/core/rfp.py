"""Procurement requirements for a profile, on behalf of the shells (``otvet rfp``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from otvet.catalog import load_catalog, load_profile
from otvet.core.catalog import export_questionnaire, slug_of
from otvet.model import InputError
from otvet.model.rfp import RfpDocument
from otvet.reports.rfp import build_rfp
from otvet.reports.rfp_registry import rfp_formats, rfp_writer

__all__ = ["rfp_document", "rfp_formats", "write_rfp"]


def rfp_document(profile: str) -> RfpDocument:
    """The requirements document of a profile (built-in id or YAML path)."""
    catalog = load_catalog()
    return build_rfp(catalog, load_profile(profile, catalog))


def write_rfp(
    profile: str, out_dir: Path, names: Iterable[str] = ("docx", "md"), *, questionnaire: bool = True
) -> tuple[RfpDocument, list[Path]]:
    """Write the requirements in each format, and the vendor questionnaire XLSX beside them."""
    writers = []
    for name in names:
        try:
            writers.append(rfp_writer(name))
        except KeyError:
            raise InputError(f"unknown RFP format {name!r} (known: {', '.join(rfp_formats())})") from None
    catalog = load_catalog()
    chosen = load_profile(profile, catalog)
    document = build_rfp(catalog, chosen)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"rfp-requirements-{slug_of(chosen.id)}"
    written = []
    for writer in writers:
        target = out_dir / f"{base}{writer.extension}"
        target.write_bytes(writer.render(document))
        written.append(target)
    if questionnaire:
        written.append(
            export_questionnaire(chosen, out_dir / f"vendor-questionnaire-{slug_of(chosen.id)}.xlsx")
        )
    return document, written
