"""``otvet trust``: the keys, certificates, CRLs and roots update verification may rely on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otvet.cli.console import out
from otvet.core import updates as service
from otvet.core.audit import current_user

app = typer.Typer(
    help="The trust store of update verification: vendor keys, certificates, CRLs, Sigstore and TUF roots.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Update intake database URL (default: $OTVET_UPDATES_URL or $OTVET_HOME/updates.sqlite3).",
    ),
]


@app.command("add")
def add(
    kind: Annotated[str, typer.Argument(help=f"What the file is: {', '.join(service.TRUST_KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="The key, certificate, CRL or root file.")],
    name: Annotated[
        str | None, typer.Option(help="A name people recognise (default: from the file).")
    ] = None,
    vendor: Annotated[str | None, typer.Option(help="Trust it only for this vendor's updates.")] = None,
    identity: Annotated[
        str | None,
        typer.Option(help="Sigstore: the signer identity (certificate SAN) this root vouches for."),
    ] = None,
    issuer: Annotated[str | None, typer.Option(help="Sigstore: the OIDC issuer of that identity.")] = None,
    note: Annotated[
        str | None, typer.Option(help="How you obtained it and checked it (out of band).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who adds it (default: your login name).")] = None,
    db: DbOption = None,
) -> None:
    """Import trust material from a file (recorded with who added it and when)."""
    entry = service.trust_add(
        kind,
        file,
        actor=service.Actor(by or current_user()),
        name=name,
        vendor=vendor,
        identity=identity,
        issuer=issuer,
        note=note,
        url=db,
    )
    out.print(
        f"[bold]added[/] {entry.id} {entry.kind.value} '{entry.name}' fingerprint {entry.fingerprint}",
        soft_wrap=True,
    )


@app.command("list")
def list_entries(
    vendor: Annotated[str | None, typer.Option(help="Only what applies to this vendor.")] = None,
    db: DbOption = None,
) -> None:
    """List the trust store with its digest (the digest every verification report carries)."""
    entries, digest = service.trust_entries(url=db, vendor=vendor)
    table = Table(box=None, header_style="bold")
    for column in ("Id", "Kind", "Name", "Fingerprint", "Vendor", "Added by", "Added at", "Expires"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            entry.id,
            entry.kind.value,
            entry.name,
            entry.fingerprint,
            entry.vendor or "any",
            entry.added_by,
            entry.added_at.isoformat(),
            entry.not_after.isoformat() if entry.not_after else "",
        )
    out.print(table)
    out.print(f"{len(entries)} entries, trust store digest {digest}", soft_wrap=True)


@app.command("remove")
def remove(
    entry_id: Annotated[str, typer.Argument(help="Entry id (or an unambiguous prefix).")],
    by: Annotated[str | None, typer.Option("--by", help="Who removes it (default: your login name).")] = None,
    db: DbOption = None,
) -> None:
    """Remove an entry (recorded in the audit log)."""
    entry = service.trust_remove(entry_id, actor=service.Actor(by or current_user()), url=db)
    out.print(f"[bold]removed[/] {entry.id} {entry.kind.value} '{entry.name}'")
