"""``otvet db``: import vulnerability data into the offline knowledge base and show its state."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from otvet.cli.console import RichProgress, err, out
from otvet.core.knowledge import data_sources, database_status, import_data
from otvet.model import InputError, Severity

app = typer.Typer(
    help="The offline vulnerability knowledge base: import OSV, NVD, KEV, EPSS and CSAF files; show status.",
    no_args_is_help=True,
)

DB_OPTION = typer.Option(
    "--db",
    help="Database URL (sqlite:///file or postgresql://user@host/db). Default: knowledge.sqlite3 in OTVET_HOME.",
)


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="Data source: osv, nvd, kev, epss or csaf.")],
    path: Annotated[
        Path,
        typer.Argument(
            help="osv: directory or zip of OSV JSON/YAML; nvd: CVE record, directory or yearly feed "
            "(.json, .gz, .xz); kev: CISA KEV JSON; epss: EPSS CSV (.csv or .csv.gz); csaf: CSAF "
            "advisory, directory (e.g. a vendor's CSAF distribution) or zip."
        ),
    ],
    db: Annotated[str | None, DB_OPTION] = None,
) -> None:
    """Import a data file or directory (streaming, idempotent: the same file changes nothing).

    CSAF documents are validated; invalid ones are stored flagged as invalid and every error is
    listed with its file, JSON pointer and test id.
    """
    kind = source.strip().lower()
    if kind not in data_sources():
        raise InputError(f"unknown data source {source!r} (choose one of {', '.join(data_sources())})")
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    with RichProgress() as progress:
        report = import_data(kind, path, url=db, progress=progress)
    if report.already_imported:
        out.print(f"[bold]{path}[/]: {report.note}")
        return
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in (
        ("records read", report.records),
        ("added", report.added),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("older than stored (kept stored)", report.older),
        ("problems", report.problem_count),
    ):
        table.add_row(label, str(value))
    out.print(
        f"[bold]{kind.upper()}[/] {path} (data set #{report.data_set_id}, sha256 {report.sha256[:16]}...)"
    )
    out.print(table)
    if report.data_date:
        out.print(f"newest record: {report.data_date:%Y-%m-%d %H:%M} UTC")
    if report.note:
        out.print(report.note)
    for problem in report.problems[:20]:
        colour = "yellow" if problem.severity is Severity.WARNING else "red"
        err.print(
            f"[{colour}]{'warning' if colour == 'yellow' else 'problem'}:[/] {escape(str(problem))}",
            markup=True,
            highlight=False,
        )
    if report.problem_count > 20:
        err.print(f"... and {report.problem_count - 20} more problem(s)")


@app.command("status")
def status(db: Annotated[str | None, DB_OPTION] = None) -> None:
    """Show the imported data sets (source, records, data date, age) and table sizes."""
    state = database_status(url=db)
    out.print(f"[bold]Knowledge base[/] {state.url}")
    if not state.data_sets:
        out.print("No data imported yet. Import with: otvet db import osv|nvd|kev|epss|csaf PATH")
        return
    table = Table(header_style="bold", box=None)
    for column in ("Source", "Data set", "Records", "Data date", "Imported", "Age (days)"):
        table.add_column(
            column, justify="right" if column in ("Records", "Age (days)") else "left", overflow="fold"
        )
    for d in state.data_sets:
        table.add_row(
            d.source.upper(),
            d.name,
            str(d.records),
            f"{d.data_date:%Y-%m-%d}" if d.data_date else "unknown",
            f"{d.imported_at:%Y-%m-%d %H:%M}" if d.imported_at else "?",
            f"{d.age_days:.0f}" if d.age_days is not None else "?",
        )
    out.print(table)
    out.print("  ".join(f"{name}: {count}" for name, count in state.counts.items()))
