"""``otvet assess``: assess an evidence bundle and write reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from otvet.cli.console import RichProgress, err, out
from otvet.cli.exit_codes import ExitCode
from otvet.core import assess as run_assessment
from otvet.core.audit import default_trail
from otvet.core.reports import report_formats, write_reports
from otvet.model import Assessment, InputError, Severity, Status

SYMBOL = {
    Status.MET: "[green]✔[/]",
    Status.PARTIALLY_MET: "[yellow]◐[/]",
    Status.NOT_MET: "[red]✘[/]",
    Status.NOT_EVIDENCED: "[dim]?[/]",
    Status.NOT_APPLICABLE: "[dim]–[/]",
}


def _parse_options(values: list[str]) -> dict[str, str]:
    options = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise InputError(f"--option expects KEY=VALUE, got {value!r}")
        options[key.strip()] = text.strip()
    return options


def assess(
    bundle: Annotated[Path, typer.Argument(help="Evidence bundle: a directory or a .zip archive.")],
    profile: Annotated[
        str,
        typer.Option(
            "--profile", "-p", help="Built-in profile (essential, standard, strict) or a profile YAML file."
        ),
    ] = "standard",
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the reports.")] = Path("out"),
    formats: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Comma-separated report formats: html, json, xlsx, csv, oscal, pdf."
        ),
    ] = "html,json",
    fail_on: Annotated[
        str, typer.Option(help="Exit with code 1 when blockers are found ('blockers') or never ('never').")
    ] = "blockers",
    now: Annotated[
        str | None, typer.Option(help="Assessment time (ISO 8601), for reproducible reports.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="Analyzer option KEY=VALUE, e.g. planned_service_life_years=20."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Vulnerability knowledge base URL (default: knowledge.sqlite3 in OTVET_HOME)."
        ),
    ] = None,
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence",
            "-e",
            help="Your own evidence file to add beside the vendor bundle (repeatable); counts as buyer evidence.",
        ),
    ] = None,
    probe: Annotated[
        list[Path] | None,
        typer.Option(
            "--probe",
            help="Your own lab probe result (otvet probe -o FILE), counted as observed (repeatable).",
        ),
    ] = None,
) -> None:
    """Assess a product's evidence bundle against a profile and write HTML and JSON reports."""
    names = [n.strip().lower() for n in formats.split(",") if n.strip()]
    unknown = [n for n in names if n not in report_formats()]
    if unknown:
        raise InputError(
            f"unknown report format(s) {', '.join(unknown)} (known: {', '.join(report_formats())})"
        )
    if fail_on not in ("blockers", "never"):
        raise InputError("--fail-on must be 'blockers' or 'never'")
    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            raise InputError(f"--now: not an ISO 8601 date-time: {now!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    with RichProgress() as progress:
        assessment = run_assessment(
            bundle,
            profile=profile,
            now=moment,
            options=_parse_options(option or []),
            progress=progress,
            audit=default_trail(),
            knowledge_url=db,
            extra=(*(evidence or ()), *(probe or ())),
        )
        notes: list[str] = []
        written = write_reports(assessment, output, names, notes=notes, progress=progress)
    print_summary(assessment)
    for path in written:
        out.print(f"[bold]wrote[/] {path}")
    for note in notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
    if assessment.blockers and fail_on == "blockers":
        err.print(
            f"[red]{len(assessment.blockers)} blocker(s) found[/] (exit code {ExitCode.FINDINGS.value}; use --fail-on never to ignore)"
        )
        raise typer.Exit(ExitCode.FINDINGS)


SHOWN = 10
"""Items per list in the terminal summary; the reports hold all of them."""


def _more(total: int) -> None:
    if total > SHOWN:
        out.print(f"  [dim]... and {total - SHOWN} more (see the report)[/]")


def print_summary(a: Assessment) -> None:
    """A one-screen summary of an assessment."""
    s = a.scores
    out.print(f"\n[bold]{a.product.label}[/]  profile [bold]{a.profile_title}[/] ({a.profile_id})")
    out.print(
        f"Overall score [bold]{s.overall:.0f}[/]/100 · {s.confidence:.0%} of it rests on verified or observed evidence · "
        f"{s.verified_share:.0%} of criteria decided by evidence"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("Element", "Score", "Evidence", "✔", "◐", "✘", "?"):
        table.add_column(column, justify="left" if column == "Element" else "right")
    for e in s.elements:
        table.add_row(
            e.name,
            "–" if e.score is None else f"{e.score:.0f}",
            "–" if e.confidence is None else f"{e.confidence:.0%}",
            str(e.met),
            str(e.partially_met),
            str(e.not_met),
            str(e.not_evidenced),
        )
    out.print(table)
    if a.blockers:
        out.print(f"[red bold]Blockers ({len(a.blockers)}):[/]")
        for b in a.blockers:
            out.print(f"  [red]✘[/] {b.criterion_id} {b.title}")
    if a.pending_must_haves:
        out.print(f"[yellow]Open must-haves ({len(a.pending_must_haves)}):[/]")
        for b in a.pending_must_haves[:SHOWN]:
            out.print(f"  {SYMBOL[b.status]} {b.criterion_id} {b.title}")
        _more(len(a.pending_must_haves))
    if a.contradictions:
        out.print(f"[magenta]Contradictions between claim and evidence ({len(a.contradictions)}):[/]")
        for o in a.contradictions[:SHOWN]:
            out.print(f"  ⚠ {o.criterion_id}: {o.contradiction}")
        _more(len(a.contradictions))
    errors = sum(1 for p in a.problems if p.severity is Severity.ERROR)
    warnings = len(a.problems) - errors
    if a.problems:
        out.print(f"Input problems: {errors} error(s), {warnings} warning(s) (listed in the report)")
    out.print(f"Follow-up questions for the vendor: {len(a.follow_ups)}")
