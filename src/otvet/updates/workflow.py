"""The patch intake workflow: received -> verified -> assessed -> approved -> deployed -> validated,
or rolled back.

Rules (CISA deployment guidance: signed packages, an approval workflow, rollback, immutable logs):

- *verified*: a verification report whose package digest is the intake's and whose verdict is
  ``authentic``, *and* that this installation made (ADR 0073): the audit log holds the
  ``update.verify`` record that wrote a file with the report's exact SHA-256, that record names
  the same package, verdict and trust-store digest as the report, and the trust store (for the
  report's vendor scope) still has that digest. A report's own JSON is never trusted: copying an
  authentic report and swapping in another package's digest gives a file no ``update.verify``
  ever wrote, and the intake refuses it. A trust store changed since the verification (a key
  removed, a CRL added) sends the intake back to *received* until it is verified again;
- *assessed*: an SBOM diff is attached;
- *approved*: two distinct people, neither the submitter, each approving the exact digests of
  the package, the verification report, the SBOM diff and the rollback plan. Any input that
  changes afterwards voids every approval bound to the old digest, and the intake falls back to
  the state its current inputs justify;
- the rollback plan (previous version's package and hash, configuration backup and golden image
  references) is re-verified whenever an approval, deployment or rollback is recorded.

Every transition and every refusal is recorded in the audit log (correlation id: the intake id).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from otvet.audit import canonical_json
from otvet.model.audit import AuditEvent, AuditRecord, Outcome
from otvet.model.errors import InputError, Location
from otvet.model.serialize import from_jsonable, to_jsonable
from otvet.model.updates import (
    Actor,
    Approval,
    BoundDigests,
    Intake,
    IntakeState,
    RollbackPlan,
    Transition,
    Verdict,
    VerificationReport,
)
from otvet.safeio import sha256_file
from otvet.updates.report import read_report, read_sbom_diff
from otvet.updates.store import approval_table, from_iso, intake_table, iso, transition_table
from otvet.updates.trust import TrustStore

REQUIRED_APPROVALS = 2


class WorkflowError(InputError):
    """An action the workflow refuses (wrong state, same person twice, changed inputs)."""


class Recorder(Protocol):
    """Where the workflow leaves its trace (the audit log)."""

    def record(self, event: AuditEvent) -> object:
        """Append an event."""
        ...


class Ledger(Protocol):
    """This installation's memory of the evidence files it produced (the audit log)."""

    def produced(self, sha256: str) -> AuditRecord | None:
        """The record of writing a file with this SHA-256 (e.g. ``update.verify``), if any."""
        ...


VERIFY_ACTION = "update.verify"


def _digest(path: Path) -> str | None:
    return sha256_file(path)[0] if path.is_file() else None


def plan_digest(plan: RollbackPlan) -> str:
    """SHA-256 of the rollback plan record's canonical JSON."""
    return hashlib.sha256(canonical_json(to_jsonable(plan))).hexdigest()


def make_rollback_plan(
    previous_version: str, previous_artifact: Path, configuration_backup: str, golden_image: str
) -> RollbackPlan:
    """A rollback plan; references that are readable files are hashed so changes are detected."""
    if not previous_artifact.is_file():
        raise WorkflowError(
            "the previous version's package must be a readable file", Location(str(previous_artifact))
        )
    for label, value in (("configuration backup", configuration_backup), ("golden image", golden_image)):
        if not value.strip():
            raise WorkflowError(f"the rollback plan needs a {label} reference")
    return RollbackPlan(
        previous_version=previous_version,
        previous_artifact=str(previous_artifact),
        previous_sha256=sha256_file(previous_artifact)[0],
        configuration_backup=configuration_backup,
        golden_image=golden_image,
        configuration_backup_sha256=_digest(Path(configuration_backup)),
        golden_image_sha256=_digest(Path(golden_image)),
    )


def recheck_rollback_plan(plan: RollbackPlan) -> list[str]:
    """What no longer holds in a rollback plan (empty: it still holds)."""
    problems = []
    if _digest(Path(plan.previous_artifact)) != plan.previous_sha256:
        problems.append(f"the previous version's package {plan.previous_artifact} is missing or changed")
    for label, reference, recorded in (
        ("configuration backup", plan.configuration_backup, plan.configuration_backup_sha256),
        ("golden image", plan.golden_image, plan.golden_image_sha256),
    ):
        if recorded is not None and _digest(Path(reference)) != recorded:
            problems.append(f"the {label} {reference} is missing or changed")
    return problems


class Workflow:
    """Update intakes stored in the update intake database."""

    def __init__(
        self,
        engine: Engine,
        recorder: Recorder,
        *,
        ledger: Ledger | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        self.ledger = ledger
        """Where verifications made here are looked up; without one no report verifies (fail closed)."""
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- recording ---------------------------------------------------------------------------

    def _event(
        self,
        action: str,
        actor: Actor,
        intake_id: str,
        description: str,
        *,
        failed: bool = False,
        **details: Any,
    ) -> None:
        self.recorder.record(
            AuditEvent(
                action=action,
                actor=actor.name,
                description=description,
                source_address=actor.source_address,
                source_port=actor.source_port,
                correlation_id=intake_id,
                outcome=Outcome.FAILURE if failed else Outcome.SUCCESS,
                details=details,
            )
        )

    def _refuse(self, action: str, actor: Actor, intake_id: str, message: str) -> WorkflowError:
        self._event(action, actor, intake_id, f"refused: {message}", failed=True)
        return WorkflowError(message)

    def _transition(self, intake: Intake, to: IntakeState, actor: Actor, note: str) -> Intake:
        # NOTE: audit first, then act: a crash in between leaves a record of an intended change
        # (over-reporting), never a change without a record. It also keeps the audit write out of
        # the workflow's transaction, so both may share one SQLite file.
        self._event(
            "update.transition",
            actor,
            intake.id,
            f"{intake.id}: {intake.state.value} -> {to.value}: {note}",
            from_state=intake.state.value,
            to_state=to.value,
        )
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(update(intake_table).where(intake_table.c.id == intake.id).values(state=to.value))
            conn.execute(
                transition_table.insert().values(
                    intake_id=intake.id,
                    at=iso(now),
                    actor=actor.name,
                    from_state=intake.state.value,
                    to_state=to.value,
                    note=note,
                )
            )
        return replace(intake, state=to)

    # -- reading -----------------------------------------------------------------------------

    def get(self, intake_id: str, *, check_files: bool = True) -> Intake:
        """An intake with its approvals and transitions.

        An approval is valid while the inputs it is bound to are the intake's current inputs and,
        with ``check_files``, the files on disk still hash to them.
        """
        with self.engine.connect() as conn:
            row = conn.execute(select(intake_table).where(intake_table.c.id == intake_id)).mappings().first()
            if row is None:
                raise WorkflowError(f"no update intake {intake_id!r}")
            approvals = (
                conn.execute(
                    select(approval_table)
                    .where(approval_table.c.intake_id == intake_id)
                    .order_by(approval_table.c.id)
                )
                .mappings()
                .all()
            )
            transitions = (
                conn.execute(
                    select(transition_table)
                    .where(transition_table.c.intake_id == intake_id)
                    .order_by(transition_table.c.id)
                )
                .mappings()
                .all()
            )
        intake = _intake(row)
        current = self._bound(intake)
        if check_files and self._problems(intake):
            current = None
        return replace(
            intake,
            approvals=tuple(_approval(a, current) for a in approvals),
            transitions=tuple(_transition(t) for t in transitions),
        )

    def list(self) -> list[Intake]:
        """Every intake, newest first."""
        with self.engine.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(select(intake_table.c.id).order_by(intake_table.c.created_at.desc()))
            ]
        return [self.get(i, check_files=False) for i in ids]

    @staticmethod
    def _bound(intake: Intake) -> BoundDigests | None:
        if not (intake.report_sha256 and intake.sbom_diff_sha256 and intake.rollback_sha256):
            return None
        return BoundDigests(
            package=intake.package_sha256,
            verification_report=intake.report_sha256,
            sbom_diff=intake.sbom_diff_sha256,
            rollback_plan=intake.rollback_sha256,
        )

    # -- intake and attachments --------------------------------------------------------------

    def intake(self, package: Path, *, product: str, version: str, actor: Actor) -> Intake:
        """Register a received update package."""
        if not package.is_file():
            raise WorkflowError("no such package file", Location(str(package)))
        now = self.clock()
        intake_id = f"UPD-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"
        digest = sha256_file(package)[0]
        self._event(
            "update.intake",
            actor,
            intake_id,
            f"{actor.name} submitted {product} {version} ({package.name}) as {intake_id}",
            package=package.name,
            package_sha256=digest,
        )
        with self.engine.begin() as conn:
            conn.execute(
                intake_table.insert().values(
                    id=intake_id,
                    product=product,
                    version=version,
                    package_path=str(package.resolve()),
                    package_sha256=digest,
                    submitter=actor.name,
                    state=IntakeState.RECEIVED.value,
                    created_at=iso(now),
                )
            )
            conn.execute(
                transition_table.insert().values(
                    intake_id=intake_id,
                    at=iso(now),
                    actor=actor.name,
                    from_state=None,
                    to_state="received",
                    note="package received",
                )
            )
        return self.get(intake_id)

    def attach(
        self,
        intake_id: str,
        *,
        actor: Actor,
        report: Path | None = None,
        sbom_diff: Path | None = None,
        rollback: RollbackPlan | None = None,
    ) -> Intake:
        """Attach (or replace) the verification report, SBOM diff or rollback plan; re-evaluate the state."""
        intake = self.get(intake_id)
        if intake.state in (IntakeState.DEPLOYED, IntakeState.VALIDATED, IntakeState.ROLLED_BACK):
            raise self._refuse(
                "update.attach", actor, intake_id, f"{intake_id} is {intake.state.value}; inputs are frozen"
            )
        values: dict[str, Any] = {}
        if report is not None:
            parsed = read_report(report)
            digest = sha256_file(report)[0]
            if self._verification_record(digest) is None:
                raise self._refuse(
                    "update.attach",
                    actor,
                    intake_id,
                    f"the verification report {report.name} (sha256 {digest[:16]}...) was not written by "
                    "'otvet update verify' on this installation: no audit record of it. A report's own content "
                    "proves nothing; verify the package here ('otvet update verify PACKAGE ... -o REPORT') and "
                    "attach that report",
                )
            values.update(
                report_path=str(report.resolve()), report_sha256=digest, verdict=parsed.verdict.value
            )
        if sbom_diff is not None:
            read_sbom_diff(sbom_diff)
            values.update(sbom_diff_path=str(sbom_diff.resolve()), sbom_diff_sha256=sha256_file(sbom_diff)[0])
        if rollback is not None:
            values.update(rollback=_dump(rollback), rollback_sha256=plan_digest(rollback))
        if not values:
            raise WorkflowError("nothing to attach")
        attached = [
            name
            for name, given in (
                ("verification report", report),
                ("SBOM diff", sbom_diff),
                ("rollback plan", rollback),
            )
            if given is not None
        ]
        self._event(
            "update.attach",
            actor,
            intake_id,
            f"{actor.name} attached the {' and '.join(attached)} to {intake_id}",
            **{k: v for k, v in values.items() if k.endswith("sha256") or k == "verdict"},
        )
        with self.engine.begin() as conn:
            conn.execute(update(intake_table).where(intake_table.c.id == intake_id).values(**values))
        return self.refresh(intake_id, actor=actor)

    # -- state evaluation --------------------------------------------------------------------

    def _problems(self, intake: Intake) -> dict[str, str]:
        """Inputs that no longer match what was recorded: name -> why."""
        problems: dict[str, str] = {}
        if _digest(Path(intake.package_path)) != intake.package_sha256:
            problems["package"] = f"the package {intake.package_path} is missing or changed since intake"
        if intake.report_path and _digest(Path(intake.report_path)) != intake.report_sha256:
            problems["report"] = f"the verification report {intake.report_path} is missing or changed"
        if intake.sbom_diff_path and _digest(Path(intake.sbom_diff_path)) != intake.sbom_diff_sha256:
            problems["sbom_diff"] = f"the SBOM diff {intake.sbom_diff_path} is missing or changed"
        if intake.rollback is not None:
            for problem in recheck_rollback_plan(intake.rollback):
                problems.setdefault("rollback", problem)
        return problems

    def _justified(self, intake: Intake, problems: dict[str, str]) -> tuple[IntakeState, str]:
        """The highest pre-deployment state the current inputs justify, and why not higher."""
        if "package" in problems:
            return IntakeState.RECEIVED, problems["package"] + " (a different package needs a new intake)"
        if not intake.report_path or "report" in problems:
            return IntakeState.RECEIVED, problems.get("report", "no verification report attached")
        report = read_report(Path(intake.report_path))
        if report.package.sha256 != intake.package_sha256:
            return IntakeState.RECEIVED, "the verification report is about another package"
        if report.verdict is not Verdict.AUTHENTIC:
            return (
                IntakeState.RECEIVED,
                f"the verification report's verdict is {report.verdict.value}, not authentic",
            )
        unvouched = self._unvouched(intake, report)
        if unvouched is not None:
            return IntakeState.RECEIVED, unvouched
        if not intake.sbom_diff_path or "sbom_diff" in problems:
            return IntakeState.VERIFIED, problems.get("sbom_diff", "no SBOM diff attached")
        approvers = {a.approver for a in intake.valid_approvals}
        if intake.rollback is None or "rollback" in problems or len(approvers) < REQUIRED_APPROVALS:
            return IntakeState.ASSESSED, problems.get(
                "rollback", f"{len(approvers)} of {REQUIRED_APPROVALS} valid approvals"
            )
        return IntakeState.APPROVED, f"approved by {' and '.join(sorted(approvers))}"

    def _verification_record(self, report_sha256: str) -> AuditRecord | None:
        if self.ledger is None:
            return None
        found = self.ledger.produced(report_sha256)
        return found if found is not None and found.action == VERIFY_ACTION else None

    def _unvouched(self, intake: Intake, report: VerificationReport) -> str | None:
        """Why the attached report does not show a verification made here (None: it does)."""
        assert intake.report_sha256 is not None  # noqa: S101  # the caller checked a report is attached
        found = self._verification_record(intake.report_sha256)
        if found is None:
            return "the verification report was not written by 'otvet update verify' on this installation"
        details = found.details
        expected = {
            "package_sha256": intake.package_sha256,
            "verdict": Verdict.AUTHENTIC.value,
            "trust_store": report.trust_store.digest,
        }
        differs = [k for k, v in expected.items() if details.get(k) != v]
        if differs:
            return (
                f"the audit record of the verification (record {found.seq}) does not match the report "
                f"({', '.join(differs)})"
            )
        current = TrustStore(self.engine).material(report.trust_store.vendor).digest
        if current != report.trust_store.digest:
            return (
                f"the trust store changed since the verification on {found.time:%Y-%m-%d %H:%M} UTC "
                f"(then {report.trust_store.digest[:23]}..., now {current[:23]}...): verify the package again"
            )
        return None

    def refresh(self, intake_id: str, *, actor: Actor) -> Intake:
        """Re-check every input and move the intake to the state they justify (forward or back)."""
        intake = self.get(intake_id)
        if intake.state in (IntakeState.DEPLOYED, IntakeState.VALIDATED, IntakeState.ROLLED_BACK):
            return intake
        problems = self._problems(intake)
        target, why = self._justified(intake, problems)
        if target is intake.state:
            return intake
        voided = [a for a in intake.approvals if not a.valid]
        note = (
            why
            if not voided or _rank(target) > _rank(intake.state)
            else f"{why}; approvals bound to old inputs are void"
        )
        self._transition(intake, target, actor, note)
        return self.get(intake_id)

    # -- approvals and after -----------------------------------------------------------------

    def approve(self, intake_id: str, *, actor: Actor, comment: str | None = None) -> Intake:
        """Record one approval of the current inputs (two distinct approvers, never the submitter)."""
        intake = self.refresh(intake_id, actor=actor)
        if actor.name.casefold() == intake.submitter.casefold():
            raise self._refuse(
                "update.approve",
                actor,
                intake_id,
                f"{actor.name} submitted {intake_id} and cannot approve it",
            )
        if intake.state not in (IntakeState.ASSESSED, IntakeState.APPROVED):
            problems = self._problems(intake)
            _, why = self._justified(intake, problems)
            raise self._refuse(
                "update.approve",
                actor,
                intake_id,
                f"{intake_id} is {intake.state.value}, not ready for approval: {why}",
            )
        if intake.rollback is None:
            raise self._refuse("update.approve", actor, intake_id, f"{intake_id} has no rollback plan")
        rollback_problems = recheck_rollback_plan(intake.rollback)
        if rollback_problems:
            raise self._refuse(
                "update.approve",
                actor,
                intake_id,
                "rollback plan no longer holds: " + "; ".join(rollback_problems),
            )
        bound = self._bound(intake)
        assert bound is not None  # noqa: S101  # assessed implies every input is attached
        if any(a.valid and a.approver.casefold() == actor.name.casefold() for a in intake.approvals):
            raise self._refuse(
                "update.approve",
                actor,
                intake_id,
                f"{actor.name} already approved these inputs of {intake_id}",
            )
        self._event(
            "update.approve",
            actor,
            intake_id,
            f"{actor.name} approved {intake_id}" + (f": {comment}" if comment else ""),
            package_sha256=bound.package,
            report_sha256=bound.verification_report,
            sbom_diff_sha256=bound.sbom_diff,
            rollback_sha256=bound.rollback_plan,
        )
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    approval_table.insert().values(
                        intake_id=intake_id,
                        approver=actor.name,
                        approved_at=iso(now),
                        package_sha256=bound.package,
                        report_sha256=bound.verification_report,
                        sbom_diff_sha256=bound.sbom_diff,
                        rollback_sha256=bound.rollback_plan,
                        comment=comment,
                    )
                )
        except IntegrityError:
            raise self._refuse(
                "update.approve",
                actor,
                intake_id,
                f"{actor.name} already approved these inputs of {intake_id}",
            ) from None
        return self.refresh(intake_id, actor=actor)

    def _advance(
        self,
        intake_id: str,
        actor: Actor,
        needed: tuple[IntakeState, ...],
        to: IntakeState,
        note: str,
        action: str,
    ) -> Intake:
        intake = self.refresh(intake_id, actor=actor)
        if intake.state not in needed:
            raise self._refuse(
                action,
                actor,
                intake_id,
                f"{intake_id} is {intake.state.value}; {to.value} needs {' or '.join(s.value for s in needed)}",
            )
        if to in (IntakeState.DEPLOYED, IntakeState.ROLLED_BACK):
            problems = self._problems(intake)
            if to is IntakeState.DEPLOYED and problems:
                raise self._refuse(
                    action, actor, intake_id, "inputs changed: " + "; ".join(problems.values())
                )
            if to is IntakeState.ROLLED_BACK and "rollback" in problems:
                raise self._refuse(
                    action, actor, intake_id, f"cannot roll back safely: {problems['rollback']}"
                )
        self._transition(intake, to, actor, note)
        return self.get(intake_id)

    def deploy(self, intake_id: str, *, actor: Actor, note: str = "deployed") -> Intake:
        """Record the deployment of an approved update."""
        return self._advance(
            intake_id, actor, (IntakeState.APPROVED,), IntakeState.DEPLOYED, note, "update.deploy"
        )

    def validate(self, intake_id: str, *, actor: Actor, note: str = "validated in operation") -> Intake:
        """Record that the deployed update was validated in operation."""
        return self._advance(
            intake_id, actor, (IntakeState.DEPLOYED,), IntakeState.VALIDATED, note, "update.validate"
        )

    def rollback(self, intake_id: str, *, actor: Actor, reason: str) -> Intake:
        """Record a rollback to the previous version (the rollback plan is re-verified first)."""
        if not reason.strip():
            raise WorkflowError("a rollback needs a reason")
        return self._advance(
            intake_id,
            actor,
            (IntakeState.DEPLOYED, IntakeState.VALIDATED),
            IntakeState.ROLLED_BACK,
            reason,
            "update.rollback",
        )


_ORDER = list(IntakeState)


def _rank(state: IntakeState) -> int:
    return _ORDER.index(state)


def _dump(plan: RollbackPlan) -> str:
    return canonical_json(to_jsonable(plan)).decode("utf-8")


def _intake(row: Any) -> Intake:
    rollback = None
    if row["rollback"]:
        rollback = from_jsonable(RollbackPlan, json.loads(row["rollback"]))
    created = from_iso(row["created_at"])
    assert created is not None  # noqa: S101  # NOT NULL column
    return Intake(
        id=row["id"],
        product=row["product"],
        version=row["version"],
        package_path=row["package_path"],
        package_sha256=row["package_sha256"],
        submitter=row["submitter"],
        state=IntakeState(row["state"]),
        created_at=created,
        report_path=row["report_path"],
        report_sha256=row["report_sha256"],
        verdict=Verdict(row["verdict"]) if row["verdict"] else None,
        sbom_diff_path=row["sbom_diff_path"],
        sbom_diff_sha256=row["sbom_diff_sha256"],
        rollback=rollback,
        rollback_sha256=row["rollback_sha256"],
    )


def _approval(row: Any, current: BoundDigests | None) -> Approval:
    digests = BoundDigests(
        package=row["package_sha256"],
        verification_report=row["report_sha256"],
        sbom_diff=row["sbom_diff_sha256"],
        rollback_plan=row["rollback_sha256"],
    )
    approved = from_iso(row["approved_at"])
    assert approved is not None  # noqa: S101  # NOT NULL column
    return Approval(
        approver=row["approver"],
        approved_at=approved,
        digests=digests,
        comment=row["comment"],
        valid=digests == current,
    )


def _transition(row: Any) -> Transition:
    at = from_iso(row["at"])
    assert at is not None  # noqa: S101  # NOT NULL column
    return Transition(
        at=at,
        actor=row["actor"],
        from_state=IntakeState(row["from_state"]) if row["from_state"] else None,
        to_state=IntakeState(row["to_state"]),
        note=row["note"],
    )
