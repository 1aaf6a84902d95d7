"""``otvet questionnaire``: write questionnaires for vendors and read their answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from otvet.cli.console import out
from otvet.core.catalog import export_questionnaire, import_questionnaire, load_profile, response_as_yaml

app = typer.Typer(
    help="Vendor questionnaires: export for vendors, import their answers.", no_args_is_help=True
)


@app.command("export")
def export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Target file: .xlsx (default form) or .yaml.")
    ],
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="Profile whose criteria become questions.")
    ] = "standard",
    vendor: Annotated[str, typer.Option(help="Pre-fill the vendor name.")] = "",
    product: Annotated[str, typer.Option(help="Pre-fill the product name.")] = "",
    version: Annotated[str, typer.Option(help="Pre-fill the product version.")] = "",
) -> None:
    """Write a questionnaire with one row per criterion of the profile."""
    chosen = load_profile(profile)
    fields = {k: v for k, v in (("Vendor", vendor), ("Product", product), ("Version", version)) if v}
    path = export_questionnaire(chosen, output, product=fields)
    out.print(f"[bold]wrote[/] {path} ({len(chosen.criteria)} questions, profile {chosen.id})")


@app.command("import")
def import_(
    answers: Annotated[Path, typer.Argument(help="A filled questionnaire (.xlsx, .yaml or .json).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the answers as YAML.")
    ] = None,
) -> None:
    """Validate a filled questionnaire and summarise the vendor's answers (attestations)."""
    response = import_questionnaire(answers)
    counts = Counter(a.answer.label or "unanswered" for a in response.answers)
    who = (
        " / ".join(x for x in (response.vendor, response.product, response.version) if x) or "unnamed product"
    )
    out.print(f"[bold]{answers}[/]: {len(response.answers)} questions for {who}")
    for label in ("Yes", "Partial", "No", "Not applicable", "unanswered"):
        out.print(f"  {label:15} {counts.get(label, 0)}")
    if output:
        output.write_text(response_as_yaml(response), encoding="utf-8")
        out.print(f"[bold]wrote[/] {output}")
