"""``otvet csaf``: validate CSAF documents, check a CSAF distribution, match advisories to a product."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from otvet.cli.console import RichProgress, out
from otvet.cli.exit_codes import ExitCode
from otvet.core.csaf import check_distribution, match_advisories, validate_paths
from otvet.model.csaf import CheckOutcome
from otvet.model.evidence import ProductIdentity
from otvet.model.serialize import to_jsonable

app = typer.Typer(
    help="CSAF advisories: validate, check a distribution, match to a product.", no_args_is_help=True
)


@app.command("validate")
def validate(
    targets: Annotated[list[Path], typer.Argument(help="CSAF files or directories.")],
    mandatory_only: Annotated[
        bool, typer.Option("--mandatory-only", help="Skip the optional and informative tests.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Validate CSAF documents (schema and CSAF 2.0 mandatory tests); every problem with its JSON pointer and test id."""
    with RichProgress() as progress:
        results = validate_paths(targets, optional=not mandatory_only, progress=progress)
    if as_json:
        out.print(json.dumps(to_jsonable(results), indent=2), markup=False)
    else:
        for r in results:
            mark = "[green]valid[/]" if r.valid else "[red]INVALID[/]"
            if r.valid and not r.issues:
                continue
            out.print(f"{mark} {r.path} (CSAF {r.csaf_version or '?'}, {r.category or '?'})")
            for issue in r.issues:
                out.print(
                    f"  [{issue.group.value}] {issue.test_id} {issue.pointer or '/'}: {issue.message}",
                    markup=False,
                )
        invalid = sum(1 for r in results if not r.valid)
        out.print(f"{len(results)} document(s): {len(results) - invalid} valid, {invalid} invalid")
    if any(not r.valid for r in results):
        raise typer.Exit(ExitCode.FINDINGS)


@app.command("check-distribution")
def check(
    root: Annotated[Path, typer.Argument(help="Local directory or saved copy of a CSAF provider's site.")],
    trusted_key: Annotated[
        list[Path] | None,
        typer.Option("--trusted-key", help="OpenPGP public key (file) you trust; repeatable."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check provider metadata, index.txt/changes.csv/ROLIE, file names, hashes and signatures."""
    with RichProgress() as progress:
        report = check_distribution(root, trusted_keys=trusted_key or [], progress=progress)
    if as_json:
        out.print(json.dumps(to_jsonable(report), indent=2), markup=False)
    else:
        counts = Counter((f.check, f.outcome) for f in report.findings)
        out.print(f"[bold]{report.root}[/]: {report.documents} advisories, role {report.role or 'unknown'}")
        for (check_name, outcome), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
            out.print(f"  {check_name:18} {outcome.value:10} {n}")
        for f in report.findings:
            if f.outcome in (CheckOutcome.FAIL, CheckOutcome.WARNING) and f.check not in (
                "hash",
                "signature",
            ):
                out.print(
                    f"  {f.outcome.value}: {f.path}: {f.message} (CSAF 2.0 {f.reference})", markup=False
                )
        failed = [
            f for f in report.findings if f.outcome is CheckOutcome.FAIL and f.check in ("hash", "signature")
        ]
        for f in failed[:20]:
            out.print(f"  fail: {f.path}: {f.message}", markup=False)
        unverified = report.count(CheckOutcome.UNVERIFIED, "signature")
        if unverified:
            why = "not by a key you trust" if trusted_key else "no trusted key (give --trusted-key)"
            out.print(f"  {unverified} signature(s) not verified: {why}")
        invalid = [v for v in report.validations if not v.valid]
        out.print(f"  documents: {len(report.validations) - len(invalid)} valid, {len(invalid)} invalid")
    if not report.ok:
        raise typer.Exit(ExitCode.FINDINGS)


@app.command("match")
def match(
    targets: Annotated[list[Path], typer.Argument(help="CSAF files or directories.")],
    vendor: Annotated[str, typer.Option(help="Vendor of the product.")],
    product: Annotated[str, typer.Option(help="Product name.")],
    version: Annotated[str, typer.Option(help="Version under assessment.")] = "",
    model: Annotated[list[str] | None, typer.Option("--model", help="Model number; repeatable.")] = None,
    sku: Annotated[list[str] | None, typer.Option("--sku", help="SKU (article number); repeatable.")] = None,
    serial: Annotated[
        list[str] | None, typer.Option("--serial-number", help="Serial number of the unit; repeatable.")
    ] = None,
    sha256: Annotated[
        list[str] | None, typer.Option("--sha256", help="SHA-256 of the firmware image; repeatable.")
    ] = None,
) -> None:
    """Find the advisory products that are this product, with a verdict and confidence for the version."""
    identifiers = {"skus": sku, "serial_numbers": serial, "sha256": sha256}
    identity = ProductIdentity(
        vendor=vendor,
        product=product,
        version=version,
        model_numbers=tuple(model or ()),
        properties={key: ",".join(values) for key, values in identifiers.items() if values},
    )
    with RichProgress() as progress:
        unreadable: list[tuple[Path, str]] = []
        found = match_advisories(targets, identity, progress=progress, unreadable=unreadable)
    for path, matches in found:
        out.print(f"[bold]{path}[/]")
        for m in matches:
            out.print(
                f"  {m.verdict.value:9} {m.confidence.value:12} {m.product.product_id}: {m.product.name}",
                markup=False,
            )
            out.print(f"            {m.reason}", markup=False)
    out.print(f"{len(found)} advisory file(s) name this product")
    for path, reason in unreadable:
        out.print(f"not read: {path}: {reason}", markup=False)
    if unreadable:
        out.print(f"{len(unreadable)} file(s) could not be read: they were not matched")
        raise typer.Exit(ExitCode.INPUT_ERROR)
