"""Update intake services for the shells: trust store, verification, SBOM diff, approval workflow.

Every service records what it did in the audit log (:mod:`otvet.core.audit`) before it
returns; a failure to record fails the action.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from otvet.core.audit import AuditTrail, DefaultTrail, EvidenceLedger, default_trail
from otvet.core.knowledge import vulnerability_source
from otvet.model import NO_PROGRESS, EvidenceBundle, InputError, OtvetError, Problem, Progress
from otvet.model.audit import AuditEvent, Outcome
from otvet.model.updates import (
    Actor,
    ExpiredCertificatePolicy,
    Intake,
    RevocationMode,
    SbomDiff,
    TrustEntry,
    TrustKind,
    Verdict,
    VerificationReport,
)
from otvet.safeio import DEFAULT_LIMITS, Limits, sha256_file
from otvet.storage import database_url
from otvet.updates.bundle import bundle_requests
from otvet.updates.interface import VulnerabilitySource
from otvet.updates.report import dumps, write_json
from otvet.updates.sbom_diff import diff_sboms
from otvet.updates.store import COMPONENT, open_engine
from otvet.updates.trust import TrustStore, read_entry
from otvet.updates.tuf_repo import StoredTufStates
from otvet.updates.verify import VerificationRequest, verify_package
from otvet.updates.workflow import Workflow, WorkflowError, make_rollback_plan

URL_VARIABLE = "OTVET_UPDATES_URL"
TRUST_KINDS = tuple(k.value for k in TrustKind)

_engines: dict[str, Engine] = {}
_lock = threading.Lock()

__all__ = [
    "TRUST_KINDS",
    "Actor",
    "RollbackInput",
    "WorkflowError",
    "approve",
    "attach",
    "deploy",
    "diff",
    "intake",
    "intakes",
    "report_json",
    "reverify_bundle",
    "rollback",
    "status",
    "trust_add",
    "trust_entries",
    "trust_remove",
    "validate",
    "verify",
]


def _engine(url: str | None) -> Engine:
    chosen = url or os.environ.get(URL_VARIABLE) or ""
    key = f"{chosen}|{os.environ.get('OTVET_HOME', '')}"
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = open_engine(chosen or None)
            _engines[key] = engine
        return engine


def close_all() -> None:
    """Dispose every opened engine (tests switching ``OTVET_HOME`` call this)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _trail(trail: AuditTrail | None) -> AuditTrail:
    return trail or default_trail()


# -- trust store ---------------------------------------------------------------------------------


def trust_add(
    kind: str,
    path: Path,
    *,
    actor: Actor,
    name: str | None = None,
    vendor: str | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    note: str | None = None,
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> TrustEntry:
    """Import a key, certificate, CRL, Sigstore trusted root or TUF root into the trust store."""
    try:
        chosen = TrustKind(kind)
    except ValueError:
        raise InputError(f"unknown trust kind {kind!r} (known: {', '.join(TRUST_KINDS)})") from None
    entry, content = read_entry(
        chosen,
        path,
        added_by=actor.name,
        name=name,
        vendor=vendor,
        identity=identity,
        issuer=issuer,
        note=note,
    )
    TrustStore(_engine(url)).add(entry, content)
    _trail(trail).record(
        AuditEvent(
            action="trust.add",
            actor=actor.name,
            description=f"{actor.name} added {entry.kind.value} '{entry.name}' ({entry.fingerprint}) to the trust store",
            source_address=actor.source_address,
            source_port=actor.source_port,
            correlation_id=entry.id,
            details={
                "kind": entry.kind.value,
                "sha256": entry.sha256,
                "vendor": entry.vendor,
                "source": entry.source,
            },
        )
    )
    return entry


def trust_entries(*, url: str | None = None, vendor: str | None = None) -> tuple[list[TrustEntry], str]:
    """The trust store's entries (for a vendor: its own and the unscoped ones) and their digest."""
    material = TrustStore(_engine(url)).material(vendor)
    return [m.entry for m in material.items], material.digest


def trust_remove(
    entry_id: str, *, actor: Actor, url: str | None = None, trail: AuditTrail | None = None
) -> TrustEntry:
    """Remove a trust-store entry."""
    entry = TrustStore(_engine(url)).remove(entry_id)
    _trail(trail).record(
        AuditEvent(
            action="trust.remove",
            actor=actor.name,
            description=f"{actor.name} removed {entry.kind.value} '{entry.name}' ({entry.fingerprint}) from the trust store",
            source_address=actor.source_address,
            source_port=actor.source_port,
            correlation_id=entry.id,
            details={"kind": entry.kind.value, "sha256": entry.sha256},
        )
    )
    return entry


# -- verification --------------------------------------------------------------------------------


def verify(
    package: Path,
    *,
    actor: Actor,
    signatures: Sequence[Path] = (),
    sums: Sequence[Path] = (),
    digests: Sequence[tuple[str, str]] = (),
    tuf: Path | None = None,
    tuf_target: str | None = None,
    at: datetime | None = None,
    vendor: str | None = None,
    expired_certificates: str = ExpiredCertificatePolicy.REJECT.value,
    revocation: str = RevocationMode.HARD_FAIL.value,
    output: Path | None = None,
    url: str | None = None,
    trail: AuditTrail | None = None,
    progress: Progress = NO_PROGRESS,
) -> VerificationReport:
    """Verify an update package offline with the trust store; write the report to ``output``."""
    try:
        policy = ExpiredCertificatePolicy(expired_certificates)
        mode = RevocationMode(revocation)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    moment = at or datetime.now(UTC).replace(microsecond=0)
    engine = _engine(url)
    request = VerificationRequest(
        package=package,
        signatures=tuple(signatures),
        sums=tuple(sums),
        digests=tuple(digests),
        tuf=tuf,
        tuf_target=tuf_target,
        expired_certificates=policy,
        revocation=mode,
    )
    report = verify_package(
        request,
        TrustStore(engine).material(vendor),
        at=moment,
        tuf_states=StoredTufStates(engine),
        progress=progress,
    )
    report_sha256 = None
    if output is not None:
        write_json(report, output)
        report_sha256 = sha256_file(output)[0]
    _trail(trail).record(
        AuditEvent(
            action="update.verify",
            actor=actor.name,
            description=f"{actor.name} verified {package.name}: {report.verdict.value}",
            source_address=actor.source_address,
            source_port=actor.source_port,
            correlation_id=report.package.sha256[:16],
            outcome=Outcome.SUCCESS if report.verdict is Verdict.AUTHENTIC else Outcome.FAILURE,
            details={
                "package_sha256": report.package.sha256,
                "verdict": report.verdict.value,
                "checks": len(report.checks),
                "trust_store": report.trust_store.digest,
                "verification_time": report.verification_time.isoformat(),
                "report_sha256": report_sha256,
            },
        )
    )
    return report


def _store_exists(url: str | None) -> bool:
    """Whether the update store could hold a trust store, without creating one."""
    resolved = database_url(COMPONENT, url or os.environ.get(URL_VARIABLE) or None)
    parsed = make_url(resolved)
    if parsed.drivername.startswith("sqlite"):
        return bool(parsed.database) and Path(str(parsed.database)).is_file()
    return True


def reverify_bundle(
    bundle: EvidenceBundle,
    *,
    at: datetime,
    url: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NO_PROGRESS,
) -> tuple[tuple[VerificationReport, ...], tuple[Problem, ...]]:
    """Verify the bundle's update packages against the buyer's trust store (ADR 0071).

    Only when the trust store holds at least one entry scoped to the bundle's vendor (``otvet
    trust add ... --vendor "<vendor as the manifest names it>"``): that is the buyer saying
    "these are this vendor's keys", which makes a failure meaningful. The trust material is the
    vendor's entries plus the unscoped ones, exactly as ``otvet update verify --vendor`` uses it.
    Nothing is created: without an update store there is nothing to verify against.
    """
    if not _store_exists(url):
        return (), ()
    vendor = bundle.product.vendor
    material = TrustStore(_engine(url)).material(vendor)
    if not any(m.entry.vendor and m.entry.vendor.casefold() == vendor.casefold() for m in material.items):
        return (), ()
    reports: list[VerificationReport] = []
    problems: list[Problem] = []
    for request in bundle_requests(bundle, limits=limits):
        shown = request.names.get(request.package, request.package.name)
        try:
            reports.append(verify_package(request, material, at=at, limits=limits, progress=progress, now=at))
        except OtvetError as exc:
            problems.append(
                Problem(
                    path=shown,
                    message=f"could not verify the update package against your trust store: {exc}",
                    source="orchestrator",
                )
            )
    return tuple(reports), tuple(problems)


def report_json(report: VerificationReport) -> str:
    """A report as the JSON written to files."""
    return dumps(report)


def diff(
    old: Path,
    new: Path,
    *,
    output: Path | None = None,
    vulnerabilities: VulnerabilitySource | None = None,
    knowledge_url: str | None = None,
    use_knowledge: bool = True,
    now: datetime | None = None,
) -> SbomDiff:
    """Diff the running version's SBOM against the update's.

    Vulnerabilities fixed and introduced come from ``vulnerabilities`` when given, else from
    the knowledge base (``knowledge_url``, default the store in OTVET_HOME) when it holds OSV or
    NVD data and ``use_knowledge`` is true; otherwise the diff says "vulnerability data not
    available". Components the knowledge base could not check are listed as problems.
    """
    if vulnerabilities is not None or not use_knowledge:
        result = diff_sboms(old, new, vulnerabilities=vulnerabilities)
    else:
        with vulnerability_source(knowledge_url, now=now) as source:
            result = diff_sboms(old, new, vulnerabilities=source)
            if source is not None and source.unmatchable:
                names = sorted(source.unmatchable)
                shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
                result = replace(
                    result,
                    problems=(
                        *result.problems,
                        f"{len(names)} component(s) could not be checked against vulnerability data "
                        f"(no purl of a covered ecosystem and no versioned CPE): {shown}",
                    ),
                )
    if output is not None:
        write_json(result, output)
    return result


# -- workflow ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackInput:
    """A rollback plan as given on the command line."""

    previous_version: str
    previous_artifact: Path
    configuration_backup: str
    golden_image: str


def _workflow(url: str | None, trail: AuditTrail | None, ledger: EvidenceLedger | None = None) -> Workflow:
    """The workflow; it accepts only verification reports the audit log shows were made here
    (``ledger``, default: the trail when it is one, else the default audit log; ADR 0073)."""
    chosen = _trail(trail)
    if ledger is None:
        candidate: object = chosen
        ledger = candidate if isinstance(candidate, EvidenceLedger) else DefaultTrail()
    return Workflow(_engine(url), chosen, ledger=ledger)


def intake(
    package: Path,
    *,
    product: str,
    version: str,
    actor: Actor,
    report: Path | None = None,
    sbom_diff: Path | None = None,
    rollback: RollbackInput | None = None,
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> Intake:
    """Register an update package, attaching whatever inputs are given now."""
    workflow = _workflow(url, trail)
    created = workflow.intake(package, product=product, version=version, actor=actor)
    if report or sbom_diff or rollback:
        return attach(
            created.id,
            actor=actor,
            report=report,
            sbom_diff=sbom_diff,
            rollback=rollback,
            url=url,
            trail=trail,
        )
    return created


def attach(
    intake_id: str,
    *,
    actor: Actor,
    report: Path | None = None,
    sbom_diff: Path | None = None,
    rollback: RollbackInput | None = None,
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> Intake:
    """Attach the verification report, SBOM diff or rollback plan to an intake."""
    plan = None
    if rollback is not None:
        plan = make_rollback_plan(
            rollback.previous_version,
            rollback.previous_artifact,
            rollback.configuration_backup,
            rollback.golden_image,
        )
    return _workflow(url, trail).attach(
        intake_id, actor=actor, report=report, sbom_diff=sbom_diff, rollback=plan
    )


def approve(
    intake_id: str,
    *,
    actor: Actor,
    comment: str | None = None,
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> Intake:
    """Approve the current inputs of an intake."""
    return _workflow(url, trail).approve(intake_id, actor=actor, comment=comment)


def deploy(
    intake_id: str,
    *,
    actor: Actor,
    note: str = "deployed",
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> Intake:
    """Record a deployment."""
    return _workflow(url, trail).deploy(intake_id, actor=actor, note=note)


def validate(
    intake_id: str,
    *,
    actor: Actor,
    note: str = "validated in operation",
    url: str | None = None,
    trail: AuditTrail | None = None,
) -> Intake:
    """Record a successful validation after deployment."""
    return _workflow(url, trail).validate(intake_id, actor=actor, note=note)


def rollback(
    intake_id: str, *, actor: Actor, reason: str, url: str | None = None, trail: AuditTrail | None = None
) -> Intake:
    """Record a rollback (the rollback plan is re-verified first)."""
    return _workflow(url, trail).rollback(intake_id, actor=actor, reason=reason)


def status(intake_id: str, *, url: str | None = None, trail: AuditTrail | None = None) -> Intake:
    """One intake, with its inputs re-checked (a changed input moves it back and voids approvals)."""
    workflow = _workflow(url, trail)
    workflow.get(intake_id)  # unknown id: a clear error before anything is recorded
    return workflow.refresh(intake_id, actor=Actor("otvet"))


def intakes(*, url: str | None = None, trail: AuditTrail | None = None) -> list[Intake]:
    """Every intake, newest first."""
    return _workflow(url, trail).list()
