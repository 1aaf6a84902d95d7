"""``otvet update``: verify update packages offline, diff SBOMs, and run the approval workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otvet.cli.console import RichProgress, err, out
from otvet.cli.exit_codes import ExitCode
from otvet.core import updates as service
from otvet.core.audit import current_user
from otvet.model import InputError
from otvet.model.updates import CheckStatus, Intake, SbomDiff, Verdict, VerificationReport

app = typer.Typer(
    help="Update intake: verify vendor updates offline, diff their SBOMs, approve by two people.",
    no_args_is_help=True,
)

ByOption = Annotated[str | None, typer.Option("--by", help="Who acts (default: your login name).")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Update intake database URL (default: $OTVET_UPDATES_URL or $OTVET_HOME/updates.sqlite3).",
    ),
]
MARK = {CheckStatus.PASSED: "[green]✔[/]", CheckStatus.FAILED: "[red]✘[/]"}
VERDICT_STYLE = {Verdict.AUTHENTIC: "green", Verdict.INTEGRITY_ONLY: "yellow", Verdict.FAILED: "red"}


def escape(text: str) -> str:
    """Escape rich markup in text that came from input (file names, reasons quoting files)."""
    return text.replace("[", r"\[")


def _actor(by: str | None) -> service.Actor:
    return service.Actor(by or current_user())


def parse_time(value: str | None, option: str = "--at") -> datetime | None:
    """An ISO 8601 time; without a zone it is taken as UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: not an ISO 8601 date-time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def print_report(report: VerificationReport) -> None:
    """Each check with its reason, then the verdict."""
    out.print(f"[bold]{escape(report.package.name)}[/] sha256 {report.package.sha256}", soft_wrap=True)
    for check in report.checks:
        out.print(
            f"{MARK[check.status]} {check.id} [bold]{check.mechanism.value}[/] "
            f"{escape(check.evidence)} over {escape(check.subject)}"
        )
        out.print(f"    {escape(check.reason)}", soft_wrap=True)
    out.print(
        f"trust store {report.trust_store.digest} ({report.trust_store.entries} entries), "
        f"verification time {report.verification_time.isoformat()}",
        soft_wrap=True,
    )
    for problem in report.problems:
        err.print(f"[yellow]note:[/] {escape(problem)}")
    style = VERDICT_STYLE[report.verdict]
    out.print(
        f"[{style} bold]{report.verdict.value.upper().replace('_', ' ')}[/]",
        escape(report.summary),
        soft_wrap=True,
    )


@app.command("verify")
def verify(
    package: Annotated[Path, typer.Argument(help="The update package to verify.")],
    signature: Annotated[
        list[Path] | None,
        typer.Option(
            "--signature",
            "-s",
            help="Signature over the package or a hash list: OpenPGP, minisign, signify, CMS/PKCS#7, Sigstore bundle, DSSE attestation. Repeatable.",
        ),
    ] = None,
    sums: Annotated[
        list[Path] | None,
        typer.Option(
            "--sums", help="Vendor hash list (SHA256SUMS, SHA512SUMS, clear-signed or not). Repeatable."
        ),
    ] = None,
    sha256: Annotated[
        str | None,
        typer.Option("--sha256", help="A published SHA-256/SHA-512 of the package (needs --hash-source)."),
    ] = None,
    hash_source: Annotated[
        str | None,
        typer.Option("--hash-source", help="Where the --sha256 value came from (URL, document, person)."),
    ] = None,
    tuf: Annotated[
        Path | None, typer.Option("--tuf", help="TUF repository directory (e.g. on removable media).")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="TUF target name (default: the package file name).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Verification time, ISO 8601 (default: now).")
    ] = None,
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", help="Use only trust-store entries of this vendor (and unscoped ones)."),
    ] = None,
    expired_certificates: Annotated[
        str,
        typer.Option(
            help="Expired certificates: 'reject', or 'timestamped' (accepted with a trusted RFC 3161 signing-time proof)."
        ),
    ] = "reject",
    revocation: Annotated[
        str,
        typer.Option(
            help="Revocation data: 'hard-fail' (a CRL the certificate names must be in the trust store, and "
            "CRLs must be current), 'require' (every certificate needs a current CRL) or 'soft-fail' "
            "(missing or stale CRLs are reported, not fatal)."
        ),
    ] = "hard-fail",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the verification report (JSON) here.")
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Verify an update package offline against the trust store; exit 1 unless it is authentic."""
    if (sha256 is None) != (hash_source is None):
        raise InputError("--sha256 and --hash-source go together: record where the hash came from")
    digests = [(sha256, hash_source)] if sha256 and hash_source else []
    with RichProgress() as progress:
        report = service.verify(
            package,
            actor=_actor(by),
            signatures=signature or [],
            sums=sums or [],
            digests=digests,
            tuf=tuf,
            tuf_target=target,
            at=parse_time(at),
            vendor=vendor,
            expired_certificates=expired_certificates,
            revocation=revocation,
            output=output,
            url=db,
            progress=progress,
        )
    print_report(report)
    if output:
        err.print(f"[bold]wrote[/] {output}")
    if report.verdict is not Verdict.AUTHENTIC:
        raise typer.Exit(ExitCode.FINDINGS)


def print_diff(result: SbomDiff) -> None:
    """Added, removed and changed components, then the vulnerability line."""
    out.print(
        f"[bold]{result.old.subject or result.old.path}[/] -> [bold]{result.new.subject or result.new.path}[/]: "
        f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed, {result.unchanged} unchanged"
    )
    table = Table(box=None, header_style="bold")
    for column in ("", "Component", "Before", "After", "What changed"):
        table.add_column(column)
    for item in result.added:
        table.add_row("[green]+[/]", item.name, "", item.version or "", "added")
    for item in result.removed:
        table.add_row("[red]-[/]", item.name, item.version or "", "", "removed")
    for change in result.changed:
        table.add_row(
            "~",
            change.name,
            change.old_version or "",
            change.new_version or "",
            ", ".join(c.value for c in change.changes),
        )
    out.print(table)
    if result.vulnerabilities is None:
        out.print(
            f"[yellow]Vulnerabilities: {result.vulnerability_note}[/] (fixed and introduced vulnerabilities are unknown, not zero)"
        )
    else:
        out.print(f"Vulnerabilities: {result.vulnerability_note}")
        for fixed in result.vulnerabilities.fixed:
            out.print(f"  [green]fixed[/] {fixed.vulnerability} in {fixed.label}")
        for introduced in result.vulnerabilities.introduced:
            out.print(f"  [red]introduced[/] {introduced.vulnerability} in {introduced.label}")
    for problem in result.problems:
        err.print(f"[yellow]note:[/] {escape(problem)}")


@app.command("diff")
def diff(
    running: Annotated[Path, typer.Argument(help="SBOM of the version running now.")],
    update: Annotated[Path, typer.Argument(help="SBOM of the update.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the diff (JSON) here.")] = None,
    knowledge_db: Annotated[
        str | None,
        typer.Option(
            "--knowledge-db",
            help="Vulnerability knowledge base URL (default: knowledge.sqlite3 in OTVET_HOME; see 'otvet db import').",
        ),
    ] = None,
    no_vulnerabilities: Annotated[
        bool,
        typer.Option("--no-vulnerabilities", help="Do not consult the knowledge base (components only)."),
    ] = False,
) -> None:
    """Compare two SBOMs: components added, removed and changed; vulnerabilities fixed and newly
    introduced from the knowledge base when it holds OSV or NVD data."""
    result = service.diff(
        running, update, output=output, knowledge_url=knowledge_db, use_knowledge=not no_vulnerabilities
    )
    print_diff(result)
    if output:
        err.print(f"[bold]wrote[/] {output}")


def _rollback(
    previous_version: str | None,
    previous_package: Path | None,
    config_backup: str | None,
    golden_image: str | None,
) -> service.RollbackInput | None:
    given = [previous_version, previous_package, config_backup, golden_image]
    if not any(given):
        return None
    if not all(given):
        raise InputError(
            "a rollback plan needs --previous-version, --previous-package, --config-backup and --golden-image together"
        )
    assert previous_version and previous_package and config_backup and golden_image  # noqa: S101  # checked above
    return service.RollbackInput(previous_version, previous_package, config_backup, golden_image)


PreviousVersion = Annotated[
    str | None, typer.Option("--previous-version", help="Rollback plan: version running now.")
]
PreviousPackage = Annotated[
    Path | None,
    typer.Option("--previous-package", help="Rollback plan: the running version's package (hashed)."),
]
ConfigBackup = Annotated[
    str | None,
    typer.Option("--config-backup", help="Rollback plan: configuration backup (file, hashed, or reference)."),
]
GoldenImage = Annotated[
    str | None,
    typer.Option("--golden-image", help="Rollback plan: golden image (file, hashed, or reference)."),
]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Verification report from 'otvet update verify'.")
]
DiffOption = Annotated[Path | None, typer.Option("--sbom-diff", help="SBOM diff from 'otvet update diff'.")]


def print_intake(intake: Intake) -> None:
    """One intake: state, inputs, approvals, history."""
    out.print(f"[bold]{intake.id}[/] {intake.product} {intake.version}: [bold]{intake.state.value}[/]")
    out.print(
        f"  package   {intake.package_path} (sha256 {intake.package_sha256[:16]}...) submitted by {intake.submitter}"
    )
    out.print(
        f"  report    {intake.report_path or '-'}" + (f" ({intake.verdict.value})" if intake.verdict else "")
    )
    out.print(f"  SBOM diff {intake.sbom_diff_path or '-'}")
    if intake.rollback:
        plan = intake.rollback
        out.print(
            f"  rollback  to {plan.previous_version} ({plan.previous_artifact}), config {plan.configuration_backup}, golden image {plan.golden_image}"
        )
    else:
        out.print("  rollback  -")
    for approval in intake.approvals:
        state = "[green]valid[/]" if approval.valid else "[red]void (inputs changed)[/]"
        out.print(f"  approved by {approval.approver} at {approval.approved_at.isoformat()}: {state}")
    for step in intake.transitions:
        out.print(
            f"  [dim]{step.at.isoformat()} {step.actor}: {step.from_state.value if step.from_state else '-'} -> {step.to_state.value} ({step.note})[/]"
        )


@app.command("intake")
def intake(
    package: Annotated[Path, typer.Argument(help="The update package received from the vendor.")],
    product: Annotated[str, typer.Option(help="Product the update is for.")],
    version: Annotated[str, typer.Option(help="Version the update installs.")],
    report: ReportOption = None,
    sbom_diff: DiffOption = None,
    previous_version: PreviousVersion = None,
    previous_package: PreviousPackage = None,
    config_backup: ConfigBackup = None,
    golden_image: GoldenImage = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Register a received update (state: received; it moves on as inputs are attached)."""
    result = service.intake(
        package,
        product=product,
        version=version,
        actor=_actor(by),
        report=report,
        sbom_diff=sbom_diff,
        rollback=_rollback(previous_version, previous_package, config_backup, golden_image),
        url=db,
    )
    print_intake(result)


@app.command("attach")
def attach(
    intake_id: Annotated[str, typer.Argument(help="Intake id (UPD-...).")],
    report: ReportOption = None,
    sbom_diff: DiffOption = None,
    previous_version: PreviousVersion = None,
    previous_package: PreviousPackage = None,
    config_backup: ConfigBackup = None,
    golden_image: GoldenImage = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Attach or replace inputs; a replaced input voids approvals of the old one."""
    result = service.attach(
        intake_id,
        actor=_actor(by),
        report=report,
        sbom_diff=sbom_diff,
        rollback=_rollback(previous_version, previous_package, config_backup, golden_image),
        url=db,
    )
    print_intake(result)


@app.command("approve")
def approve(
    intake_id: Annotated[str, typer.Argument(help="Intake id (UPD-...).")],
    comment: Annotated[str | None, typer.Option(help="Why you approve.")] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Approve the current inputs (two distinct approvers, never the submitter)."""
    print_intake(service.approve(intake_id, actor=_actor(by), comment=comment, url=db))


@app.command("deploy")
def deploy(
    intake_id: Annotated[str, typer.Argument(help="Intake id (UPD-...).")],
    note: Annotated[str, typer.Option(help="Where and how it was deployed.")] = "deployed",
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that an approved update was deployed."""
    print_intake(service.deploy(intake_id, actor=_actor(by), note=note, url=db))


@app.command("validate")
def validate(
    intake_id: Annotated[str, typer.Argument(help="Intake id (UPD-...).")],
    note: Annotated[str, typer.Option(help="How it was validated.")] = "validated in operation",
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record that a deployed update works as intended."""
    print_intake(service.validate(intake_id, actor=_actor(by), note=note, url=db))


@app.command("rollback")
def rollback(
    intake_id: Annotated[str, typer.Argument(help="Intake id (UPD-...).")],
    reason: Annotated[str, typer.Option(help="Why the update is rolled back.")],
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Record a rollback to the previous version (the rollback plan is re-verified first)."""
    print_intake(service.rollback(intake_id, actor=_actor(by), reason=reason, url=db))


@app.command("status")
def status(
    intake_id: Annotated[str | None, typer.Argument(help="Intake id; without it, list every intake.")] = None,
    db: DbOption = None,
) -> None:
    """Show one intake (inputs re-checked) or list them all."""
    if intake_id:
        print_intake(service.status(intake_id, url=db))
        return
    table = Table(box=None, header_style="bold")
    for column in ("Intake", "Product", "Version", "State", "Submitter", "Approvals"):
        table.add_column(column)
    for item in service.intakes(url=db):
        table.add_row(
            item.id,
            item.product,
            item.version,
            item.state.value,
            item.submitter,
            str(len(item.valid_approvals)),
        )
    out.print(table)
