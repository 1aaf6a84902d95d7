"""``otvet report``: write other formats of an assessment already made by ``otvet assess``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from otvet.cli.console import RichProgress, err, out
from otvet.core.reports import read_assessment, report_formats, write_reports
from otvet.model import InputError


def report(
    assessment: Annotated[
        Path, typer.Argument(help="An assessment JSON file written by 'otvet assess'.", show_default=False)
    ],
    formats: Annotated[
        str,
        typer.Option("--format", "-f", help="Comma-separated formats: html, json, xlsx, csv, oscal, pdf."),
    ] = "html",
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the reports.")] = Path("out"),
) -> None:
    """Render an assessment as HTML, XLSX, CSV, OSCAL assessment-results or PDF."""
    names = [n.strip().lower() for n in formats.split(",") if n.strip()]
    unknown = [n for n in names if n not in report_formats()]
    if unknown or not names:
        raise InputError(
            f"unknown report format(s) {', '.join(unknown) or '(none)'} (known: {', '.join(report_formats())})"
        )
    notes: list[str] = []
    with RichProgress() as progress:
        progress.start("Reading the assessment", None)
        loaded = read_assessment(assessment)
        progress.start("Writing reports", len(names))
        written = write_reports(loaded, output, names, notes=notes)
        progress.finish()
    for path in written:
        out.print(f"[bold]wrote[/] {path}")
    for note in notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
