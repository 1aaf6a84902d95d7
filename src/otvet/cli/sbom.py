"""``otvet sbom``: read an SBOM and show how complete it is (NTIA minimum elements, BSI TR-03183-2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from otvet.cli.console import out
from otvet.core.sbom import inspect_sbom, write_inspection
from otvet.model import Severity, Table

app = typer.Typer(help="Read SBOMs (CycloneDX, SPDX) and judge their quality.", no_args_is_help=True)


def _escape(text: str) -> str:
    """Escape rich markup in text that came from the SBOM."""
    return text.replace("[", r"\[")


def _share_style(text: str) -> str:
    """Colour a ``NN%`` share: green from 95 %, yellow from 50 %, red below."""
    try:
        value = int(text.rstrip("%"))
    except ValueError:
        return text
    colour = "green" if value >= 95 else "yellow" if value >= 50 else "red"
    return f"[{colour}]{text}[/]"


def _draw(table: Table) -> None:
    drawn = RichTable(
        title=table.caption, title_justify="left", header_style="bold", box=None, pad_edge=False
    )
    for column in table.columns:
        drawn.add_column(column, overflow="fold")
    for row in table.rows:
        cells = [_escape(c) for c in row]
        if table.columns[-1] == "Share":
            cells[-1] = _share_style(row[-1])
        if table.columns[2:3] == ("Present",):
            cells[2] = "[green]yes[/]" if row[2] == "yes" else "[red]no[/]"
        drawn.add_row(*cells)
    out.print(drawn)
    if table.note:
        out.print(f"[dim]{table.note}[/]")
    out.print()


@app.command("inspect")
def inspect(
    file: Annotated[
        Path, typer.Argument(help="SBOM file: CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3 JSON-LD.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the quality report and the inventory as JSON."),
    ] = None,
    product: Annotated[
        str | None, typer.Option(help="Product name the SBOM should describe (checked against its subject).")
    ] = None,
    version: Annotated[str | None, typer.Option(help="Product version the SBOM should describe.")] = None,
    no_conformance: Annotated[
        bool, typer.Option("--no-conformance", help="Skip the reference libraries' conformance check.")
    ] = False,
) -> None:
    """Read an SBOM and print its quality: field coverage, document fields and structural findings."""
    result = inspect_sbom(file, product=product, version=version, conformance=not no_conformance)
    q = result.quality
    subject = (
        f", describes [bold]{_escape(q.subject)}[/]"
        if q.subject
        else ", says nothing about what it describes"
    )
    files = f" and {q.files} files" if q.files else ""
    out.print(f"[bold]{file}[/]: {q.format}, {q.components} components{files}{subject}\n")
    for table in result.tables:
        _draw(table)
    errors = sum(1 for p in q.problems if p.severity is Severity.ERROR)
    if q.problems:
        out.print(f"Problems: {errors} error(s), {len(q.problems) - errors} warning(s)")
        for problem in q.problems[:20]:
            colour = "red" if problem.severity is Severity.ERROR else "yellow"
            out.print(f"  [{colour}]{problem.severity.value}[/] {_escape(str(problem))}")
        if len(q.problems) > 20:
            out.print(f"  … {len(q.problems) - 20} more (all are in the JSON output)")
    if output:
        write_inspection(result, output)
        out.print(f"[bold]wrote[/] {output}")
