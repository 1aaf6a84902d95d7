"""``otvet audit``: verify, checkpoint, export and inspect the tamper-evident audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otvet.cli.console import err, out
from otvet.core import audit as service
from otvet.model import InputError

app = typer.Typer(
    help="The tamper-evident audit log: verify it offline, sign checkpoints, export to a SIEM.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Audit database URL (default: $OTVET_AUDIT_URL or $OTVET_HOME/audit.sqlite3)."),
]


@app.command("verify")
def verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint", "-c", help="A checkpoint saved earlier (outside the database); repeatable."
        ),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key", "-k", help="Trusted verifier key (string or file); default: this log's own key."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Recompute the whole log and check it against stored and saved checkpoints (offline)."""
    result = service.verify_log(checkpoint or [], keys=key or [], url=db)
    out.print(f"[green]✔[/] audit log [bold]{result.origin}[/] verifies: {result.size} records")
    out.print(f"  root {result.root_hash}")
    for item in result.checkpoints_checked:
        out.print(f"  consistent with checkpoint at size {item.size} (key {item.key_id})")
    if not checkpoint:
        err.print(
            "[yellow]note:[/] no saved checkpoint given; truncation is only detected against a "
            "checkpoint kept outside the database (--checkpoint FILE)"
        )


@app.command("checkpoint")
def checkpoint(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the signed checkpoint to this file.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Sign a checkpoint of the log now; keep the file somewhere the database's users cannot write."""
    note = service.write_checkpoint(output, url=db)
    typer.echo(note.note, nl=False)  # verbatim: a wrapped note no longer verifies
    typer.echo(f"verifier key: {service.verifier_key(db)}")
    if output:
        err.print(f"[bold]wrote[/] {output}")


@app.command("export")
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="ocsf (JSON lines) or syslog (RFC 5424).")
    ] = "ocsf",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    since: Annotated[int, typer.Option(help="First sequence number to export.")] = 0,
    enterprise_number: Annotated[
        int,
        typer.Option(help="IANA private enterprise number for the syslog SD-ID (default 32473, RFC 5612)."),
    ] = service.DOCUMENTATION_PEN,
    db: DbOption = None,
) -> None:
    """Export records as OCSF JSON lines or RFC 5424 syslog with structured data."""
    if fmt not in service.EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (known: {', '.join(service.EXPORT_FORMATS)})")
    lines = service.export(fmt, url=db, since=since, enterprise_number=enterprise_number)
    count = 0
    if output:
        with output.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line)
                count += 1
        err.print(f"[bold]wrote[/] {count} record(s) to {output}")
    else:
        for line in lines:
            typer.echo(line, nl=False)


@app.command("show")
def show(
    last: Annotated[int, typer.Option(help="How many of the latest records to show.")] = 20,
    correlation: Annotated[
        str | None, typer.Option("--correlation", help="Only records with this correlation id.")
    ] = None,
    db: DbOption = None,
) -> None:
    """List the latest records (use 'verify' to check them)."""
    chosen = list(service.records(url=db, correlation_id=correlation))[-last:] if last > 0 else []
    table = Table(box=None, header_style="bold")
    for column in ("Seq", "Time (UTC)", "Actor", "Action", "Outcome", "Correlation", "Description"):
        table.add_column(column)
    for item in chosen:
        table.add_row(
            str(item.seq),
            item.time.strftime("%Y-%m-%d %H:%M:%S"),
            item.actor,
            item.action,
            item.outcome.value,
            item.correlation_id or "",
            item.description,
        )
    out.print(table)


@app.command("prove")
def prove(
    seq: Annotated[int | None, typer.Option("--seq", help="Inclusion proof of this record.")] = None,
    from_size: Annotated[
        int | None, typer.Option("--from-size", help="Consistency proof from this earlier log size.")
    ] = None,
    size: Annotated[int | None, typer.Option(help="Tree size to prove against (default: now).")] = None,
    db: DbOption = None,
) -> None:
    """Print an RFC 9162 inclusion or consistency proof as JSON (for auditors holding checkpoints)."""
    if (seq is None) == (from_size is None):
        raise InputError("give exactly one of --seq (inclusion) or --from-size (consistency)")
    if seq is not None:
        proof = service.prove_inclusion(seq, size=size, url=db)
    else:
        proof = service.prove_consistency(from_size or 0, size, url=db)
    typer.echo(json.dumps({"kind": proof.kind, **proof.data}, indent=2))


@app.command("key")
def key(db: DbOption = None) -> None:
    """Print the verifier key of this log's checkpoints (give it to whoever keeps your checkpoints)."""
    typer.echo(service.verifier_key(db))
