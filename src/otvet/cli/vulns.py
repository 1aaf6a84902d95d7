"""``otvet vulns``: match an SBOM against the knowledge base and apply VEX documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otvet.cli.console import RichProgress, err, out
from otvet.cli.exit_codes import ExitCode
from otvet.core.knowledge import match_report_json, match_sbom
from otvet.model import Severity
from otvet.model.vex import VexStatus

app = typer.Typer(help="Known vulnerabilities of SBOM components (offline).", no_args_is_help=True)

_STATUS_STYLE = {
    VexStatus.NOT_AFFECTED: "green",
    VexStatus.FIXED: "green",
    VexStatus.AFFECTED: "red",
    VexStatus.UNDER_INVESTIGATION: "yellow",
}
_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


@app.command("match")
def match(
    sbom: Annotated[
        Path,
        typer.Argument(
            help="SBOM file: CycloneDX 1.2-1.6 (JSON or XML), SPDX 2.2/2.3 (JSON or tag-value) or SPDX 3.0 JSON-LD."
        ),
    ],
    vex: Annotated[
        list[Path] | None,
        typer.Option("--vex", help="VEX document (OpenVEX, CycloneDX VEX or CSAF); repeatable."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the matches as JSON.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL. Default: knowledge.sqlite3 in OTVET_HOME."),
    ] = None,
    fail_on_kev: Annotated[
        bool, typer.Option("--fail-on-kev", help="Exit 1 when an open KEV-listed vulnerability is found.")
    ] = False,
) -> None:
    """Match an SBOM's components against the offline knowledge base (import data first with
    'otvet db import').

    Components with a purl are matched to OSV records by ecosystem and version rules, components
    with a CPE to NVD criteria by exact vendor and product; nothing is matched by bare name.
    Prints every match with its basis and the data set it came from, applies VEX per
    (vulnerability, component), and lists the components that could not be matched and why.
    """
    with RichProgress() as progress:
        run = match_sbom(sbom, vex or [], url=db, progress=progress)
    report = run.report
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("Vulnerability", no_wrap=True, min_width=14)
    table.add_column("Component", overflow="fold", min_width=12)
    for column in ("Severity", "EPSS", "KEV", "Fixed in", "VEX", "Basis"):
        table.add_column(column, overflow="fold")
    for m in report.matches:
        vex_text = "–"
        if m.vex is not None:
            style = _STATUS_STYLE[m.vex.status]
            vex_text = f"[{style}]{m.vex.status.value}[/]"
        severity = m.severity.value
        table.add_row(
            m.vulnerability + (f"\n[dim]{', '.join(m.aliases[:3])}[/]" if m.aliases else ""),
            m.component,
            (f"[{_SEVERITY_STYLE[severity]}]{severity}[/]" if severity in _SEVERITY_STYLE else severity)
            + (f" {m.cvss_score:.1f}" if m.cvss_score is not None else ""),
            f"{m.epss:.3f}" if m.epss is not None else "",
            "[bold red]KEV[/]" if m.kev else "",
            ", ".join(m.fixed_versions[:3]),
            vex_text,
            ", ".join(dict.fromkeys(e.basis.value for e in m.evidence)),
        )
    out.print(table)
    open_kev = [m for m in report.matches if m.kev and not m.resolved_by_vex]
    out.print(
        f"{len(report.matches)} finding(s) in {report.components} components; "
        f"{sum(1 for m in report.matches if not m.resolved_by_vex)} open, {len(open_kev)} open and KEV-listed, "
        f"{sum(1 for m in report.matches if m.resolved_by_vex)} covered by not_affected/fixed VEX; "
        f"{run.statements} VEX statement(s) read"
    )
    if report.data_sets:
        out.print("Matched against:")
        for data_set in report.data_sets:
            age = f", {data_set.age_days:.0f} days old" if data_set.age_days is not None else ""
            count = f"{data_set.records} records" if data_set.records is not None else "records"
            out.print(f"  {data_set.source} {data_set.name} ({count}{age})", markup=False)
    if report.unmatchable:
        out.print(f"[yellow]{len(report.unmatchable)} component(s) could not be checked:[/]")
        for u in report.unmatchable:
            out.print(f"  {u.component}: {u.reason}", markup=False)
    if not report.data_sets:
        err.print(
            "[yellow]warning:[/] the knowledge base is empty: import data with otvet db import osv|nvd|kev|epss PATH"
        )
    for problem in (*run.problems, *report.problems):
        label = "warning" if problem.severity is Severity.WARNING else "problem"
        err.print(f"{label}: {problem}", markup=False)
    if output is not None:
        output.write_text(match_report_json(run), encoding="utf-8")
        out.print(f"[bold]wrote[/] {output}")
    if fail_on_kev and open_kev:
        raise typer.Exit(ExitCode.FINDINGS)
