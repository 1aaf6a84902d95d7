"""``otvet catalog``: browse and export the criteria catalog and profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otvet.cli.console import out
from otvet.core.catalog import (
    MAPPING_NAMES,
    builtin_profiles,
    catalog_as_yaml,
    export_oscal,
    load_catalog,
    load_profile,
)
from otvet.model import InputError
from otvet.model.serialize import to_jsonable

app = typer.Typer(help="Browse and export the Secure by Demand criteria catalog.", no_args_is_help=True)


@app.command("list")
def list_criteria(
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", help="Only the criteria of this profile.")
    ] = None,
    element: Annotated[
        str | None, typer.Option("--element", "-e", help="Only this element (key or number).")
    ] = None,
) -> None:
    """List criteria (id, element, title, weight, must-have)."""
    catalog = load_catalog()
    chosen = load_profile(profile, catalog) if profile else None
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Element", "Title", "Weight", "Must"):
        table.add_column(column)
    shown = 0
    for c in catalog.criteria:
        el = catalog.element(c.element)
        if chosen and not chosen.selects(c.id):
            continue
        if element and element not in (el.key, str(el.number)):
            continue
        must = "yes" if chosen and c.id in chosen.must_have else ""
        weight = chosen.weight_of(c) if chosen else c.weight
        table.add_row(c.id, el.name, c.title, str(weight), must)
        shown += 1
    out.print(table)
    out.print(
        f"{shown} criteria"
        + (f" in profile {chosen.id}" if chosen else f" in catalog {catalog.id} {catalog.version}")
    )


@app.command("show")
def show(criterion_id: Annotated[str, typer.Argument(help="Criterion id, e.g. SBD-11.01.")]) -> None:
    """Show one criterion with its source quote and mappings."""
    catalog = load_catalog()
    try:
        c = catalog.criterion(criterion_id.upper())
    except KeyError:
        raise InputError(f"no criterion {criterion_id!r} (see 'otvet catalog list')") from None
    el = catalog.element(c.element)
    out.print(f"[bold]{c.id}[/] {c.title}")
    out.print(f"Element {el.number}: {el.name}   weight {c.weight}")
    out.print(f"\n[bold]Requirement[/]  {c.requirement}")
    out.print(f"[bold]Question[/]     {c.question}")
    out.print(f"[bold]Source[/]       {c.source.section} ({c.source.part}): “{c.source.quote}”")
    out.print(f"[bold]Methods[/]      {', '.join(m.value for m in c.methods)}")
    out.print(f"[bold]Evidence[/]     {', '.join(k.value for k in c.evidence)}")
    labels = catalog.mapping_labels
    out.print("\n[bold]Mappings[/]")
    for ref in c.mappings.iec62443_4_2:
        sl = f" (SL {ref.sl})" if ref.sl else ""
        out.print(
            f"  {MAPPING_NAMES['iec62443_4_2']}: {ref.ref}{sl} {labels['iec62443_4_2'].get(ref.ref, '')}"
        )
    for key, values in (
        ("iec62443_3_3", c.mappings.iec62443_3_3),
        ("nist_sp800_82r3", c.mappings.nist_sp800_82r3),
        ("cra_annex_i", c.mappings.cra_annex_i),
    ):
        for ref_id in values:
            out.print(f"  {MAPPING_NAMES[key]}: {ref_id} {labels[key].get(ref_id, '')}")


@app.command("profiles")
def profiles() -> None:
    """List the built-in profiles."""
    catalog = load_catalog()
    for name in builtin_profiles():
        p = load_profile(name, catalog)
        out.print(f"[bold]{p.id}[/] ({p.title}): {len(p.criteria)} criteria, {len(p.must_have)} must-haves")
        out.print(f"  {p.description}")


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml, json or oscal.")] = "yaml",
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", help="Only the criteria of this profile.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: stdout). For oscal, a directory receives the catalog, "
            "the profiles and the crosswalks (mapping collection).",
        ),
    ] = None,
) -> None:
    """Export the catalog (or one profile's criteria); OSCAL: catalog, profiles and crosswalks."""
    if fmt == "oscal":
        text, written = export_oscal(output, profile)
        if text is not None:
            out.print(text, end="", markup=False, soft_wrap=True)
        for path in written:
            out.print(f"[bold]wrote[/] {path}")
        return
    catalog = load_catalog()
    chosen = load_profile(profile, catalog) if profile else None
    if fmt == "yaml":
        text = catalog_as_yaml(catalog, chosen)
    elif fmt == "json":
        data = to_jsonable(catalog)
        if chosen:
            data["criteria"] = [c for c in data["criteria"] if c["id"] in chosen.criteria]
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        raise InputError(f"unknown catalog export format {fmt!r} (yaml, json, oscal)")
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"[bold]wrote[/] {output}")
    else:
        out.print(text, end="", markup=False, soft_wrap=True)
