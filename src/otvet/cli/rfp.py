"""``otvet rfp``: procurement requirements for a profile (DOCX, Markdown) and the vendor questionnaire."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from otvet.cli.console import out
from otvet.core.rfp import rfp_formats, write_rfp
from otvet.model import InputError


def rfp(
    profile: Annotated[
        str,
        typer.Option(
            "--profile", "-p", help="Built-in profile (essential, standard, strict) or a profile YAML file."
        ),
    ] = "standard",
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the documents.")] = Path(
        "out"
    ),
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated formats: docx, md.")
    ] = "docx,md",
    questionnaire: Annotated[
        bool, typer.Option(help="Also write the vendor questionnaire (XLSX) for the profile.")
    ] = True,
) -> None:
    """Write RFP requirements: numbered "shall" clauses per element, evidence to deliver, contract clauses."""
    names = [n.strip().lower() for n in formats.split(",") if n.strip()]
    unknown = [n for n in names if n not in rfp_formats()]
    if unknown or not names:
        raise InputError(
            f"unknown RFP format(s) {', '.join(unknown) or '(none)'} (known: {', '.join(rfp_formats())})"
        )
    document, written = write_rfp(profile, output, names, questionnaire=questionnaire)
    must = sum(1 for c in document.clauses if c.must_have)
    out.print(
        f"Profile [bold]{document.profile_title}[/] ({document.profile_id}): {len(document.clauses)} requirements "
        f"({must} must-haves) in {len(document.sections)} elements, {len(document.contract)} contract clauses"
    )
    for path in written:
        out.print(f"[bold]wrote[/] {path}")
