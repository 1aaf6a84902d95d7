"""``otvet compare``: put 2 to 10 assessed products side by side (HTML page and XLSX workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from otvet.cli.console import RichProgress, err, out
from otvet.core.compare import compare_files, comparison_formats, write_comparison
from otvet.model import InputError
from otvet.model.comparison import Comparison


def compare(
    assessments: Annotated[
        list[Path],
        typer.Argument(help="2 to 10 assessment JSON files written by 'otvet assess'.", show_default=False),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the comparison.")] = Path(
        "out"
    ),
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated formats: html, xlsx.")
    ] = "html,xlsx",
) -> None:
    """Compare assessed products criterion by criterion: scores, blockers, decisive differences."""
    names = [n.strip().lower() for n in formats.split(",") if n.strip()]
    unknown = [n for n in names if n not in comparison_formats()]
    if unknown or not names:
        raise InputError(
            f"unknown comparison format(s) {', '.join(unknown) or '(none)'} (known: {', '.join(comparison_formats())})"
        )
    with RichProgress() as progress:
        progress.start("Reading assessments", None)
        comparison = compare_files(assessments)
        progress.start("Writing the comparison", len(names))
        written = write_comparison(comparison, output, names)
        progress.finish()
    print_summary(comparison)
    for path in written:
        out.print(f"[bold]wrote[/] {path}")


def print_summary(c: Comparison) -> None:
    """Products with their scores and blockers, then the most decisive differences."""
    for warning in c.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("", "Product", "Profile", "Score", "Evidence", "Blockers", "Open"):
        table.add_column(column, justify="left" if column in ("", "Product", "Profile") else "right")
    for p in c.products:
        s = p.assessment.scores
        blockers = len(p.assessment.blockers)
        table.add_row(
            p.key,
            escape(p.label),
            p.assessment.profile_id,
            f"{s.overall:.0f}",
            f"{s.confidence:.0%}",
            f"[red]{blockers}[/]" if blockers else "0",
            str(len(p.assessment.pending_must_haves)),
        )
    out.print(table)
    if c.differences:
        out.print("[bold]Decisive differences[/] (points at stake; best → worst):")
        for d in c.differences[:5]:
            blocks = f" [red]blocker for {', '.join(d.blocks)}[/]" if d.blocks else ""
            out.print(
                f"  {d.criterion_id} {escape(d.title)} (weight {d.weight}): Δ {d.spread:g}  "
                f"{', '.join(d.best)} → {', '.join(d.worst)}{blocks}"
            )
    else:
        out.print("The products earn the same points on every criterion.")
