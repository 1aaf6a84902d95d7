"""The intake workflow on SQLite and PostgreSQL: two approvers, never the submitter, bound to inputs."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from otvet.audit import AuditLog
from otvet.core import updates as update_service
from otvet.core.audit import DefaultTrail
from otvet.core.audit import close_all as close_audit
from otvet.core.updates import close_all as close_updates
from otvet.model.audit import Outcome
from otvet.model.updates import Actor, IntakeState
from otvet.updates.report import write_json
from otvet.updates.sbom_diff import diff_sboms
from otvet.updates.store import open_engine
from otvet.updates.workflow import Workflow, WorkflowError, make_rollback_plan
from tests.updates.conftest import Minisign, sums_for

ALICE, BOB, CAROL = Actor("alice"), Actor("bob", "192.0.2.20", 50123), Actor("carol")


@dataclass
class Inputs:
    package: Path
    report: Path
    diff: Path
    previous: Path
    config: Path


@pytest.fixture
def engine(db_url: str, otvet_home: Path) -> Iterator[Engine]:
    opened = open_engine(db_url)
    yield opened
    opened.dispose()
    close_audit()
    close_updates()


@pytest.fixture
def workflow(engine: Engine, db_url: str) -> Workflow:
    trail = DefaultTrail(db_url)
    return Workflow(engine, trail, ledger=trail)


def verify_here(db_url: str, package: Path, target: Path, **evidence: list[Path]) -> Path:
    """Verify as a person does on this installation: the report's SHA-256 lands in the audit log."""
    update_service.verify(
        package, actor=ALICE, output=target, url=db_url, trail=DefaultTrail(db_url), **evidence
    )  # type: ignore[arg-type]
    return target


@pytest.fixture
def inputs(
    package: Path, minisign: Minisign, examples: Path, tmp_path: Path, db_url: str, engine: Engine
) -> Inputs:
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    update_service.trust_add("minisign", public, actor=ALICE, url=db_url, trail=DefaultTrail(db_url))
    report = verify_here(
        db_url, package, tmp_path / "report.json", signatures=[minisign.sign(secret, sums)], sums=[sums]
    )
    old = examples / "kestrel-plc" / "sbom" / "ka9-5.4.0.cdx.json"
    new = tmp_path / "ka9-5.4.2.cdx.json"
    document = json.loads(old.read_text(encoding="utf-8"))
    updated = copy.deepcopy(document)
    updated["components"][0]["version"] = "3.7.0"
    new.write_text(json.dumps(updated), encoding="utf-8")
    previous = tmp_path / "ka9-5.4.1.bin"
    previous.write_bytes(b"previous firmware" * 100)
    config = tmp_path / "plc-7-config-backup.xml"
    config.write_text("<config/>", encoding="utf-8")
    return Inputs(
        package=package,
        report=report,
        diff=write_json(diff_sboms(old, new), tmp_path / "diff.json"),
        previous=previous,
        config=config,
    )


def _ready(workflow: Workflow, inputs: Inputs) -> str:
    intake = workflow.intake(inputs.package, product="KA-9", version="5.4.2", actor=ALICE)
    assert intake.state is IntakeState.RECEIVED
    assert workflow.attach(intake.id, actor=ALICE, report=inputs.report).state is IntakeState.VERIFIED
    assert workflow.attach(intake.id, actor=ALICE, sbom_diff=inputs.diff).state is IntakeState.ASSESSED
    plan = make_rollback_plan(
        "5.4.1", inputs.previous, str(inputs.config), "golden image GI-2026-07 in the site vault"
    )
    assert workflow.attach(intake.id, actor=ALICE, rollback=plan).state is IntakeState.ASSESSED
    return intake.id


def test_two_distinct_approvers_then_deploy_and_validate(
    workflow: Workflow, inputs: Inputs, db_url: str
) -> None:
    intake_id = _ready(workflow, inputs)
    assert (
        workflow.approve(intake_id, actor=BOB, comment="tested on the lab rack").state is IntakeState.ASSESSED
    )
    approved = workflow.approve(intake_id, actor=CAROL)
    assert approved.state is IntakeState.APPROVED
    assert [a.approver for a in approved.valid_approvals] == ["bob", "carol"]
    assert workflow.deploy(intake_id, actor=BOB).state is IntakeState.DEPLOYED
    done = workflow.validate(intake_id, actor=CAROL)
    assert done.state is IntakeState.VALIDATED
    assert [t.to_state for t in done.transitions] == [
        IntakeState.RECEIVED, IntakeState.VERIFIED, IntakeState.ASSESSED, IntakeState.APPROVED,
        IntakeState.DEPLOYED, IntakeState.VALIDATED,
    ]  # fmt: skip
    log = AuditLog.open(db_url)
    try:
        trail = [r for r in log.records() if r.correlation_id == intake_id]
        actions = [r.action for r in trail]
        assert actions.count("update.approve") == 2 and actions.count("update.transition") == 5
        approval = next(r for r in trail if r.action == "update.approve" and r.actor == "bob")
        assert (approval.source_address, approval.source_port) == ("192.0.2.20", 50123)
        assert approval.details["package_sha256"] == done.package_sha256
        assert log.verify().ok
    finally:
        log.close()


def test_the_same_approver_cannot_approve_twice(workflow: Workflow, inputs: Inputs, db_url: str) -> None:
    intake_id = _ready(workflow, inputs)
    workflow.approve(intake_id, actor=BOB)
    with pytest.raises(WorkflowError, match="already approved"):
        workflow.approve(intake_id, actor=Actor("BOB"))
    assert workflow.get(intake_id).state is IntakeState.ASSESSED
    log = AuditLog.open(db_url)
    try:
        refused = [r for r in log.records() if r.action == "update.approve" and r.outcome is Outcome.FAILURE]
        assert len(refused) == 1 and "already approved" in refused[0].description
    finally:
        log.close()


def test_the_database_itself_refuses_a_duplicate_approval(
    workflow: Workflow, inputs: Inputs, engine: Engine
) -> None:
    intake_id = _ready(workflow, inputs)
    workflow.approve(intake_id, actor=BOB)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO update_approval (intake_id, approver, approved_at, package_sha256, report_sha256, "
                "sbom_diff_sha256, rollback_sha256) SELECT intake_id, approver, approved_at, package_sha256, "
                "report_sha256, sbom_diff_sha256, rollback_sha256 FROM update_approval"
            )
        )


def test_the_submitter_cannot_approve(workflow: Workflow, inputs: Inputs) -> None:
    intake_id = _ready(workflow, inputs)
    with pytest.raises(WorkflowError, match="submitted"):
        workflow.approve(intake_id, actor=ALICE)


def test_changing_the_package_after_approval_voids_the_approvals(workflow: Workflow, inputs: Inputs) -> None:
    intake_id = _ready(workflow, inputs)
    workflow.approve(intake_id, actor=BOB)
    assert workflow.approve(intake_id, actor=CAROL).state is IntakeState.APPROVED
    inputs.package.write_bytes(inputs.package.read_bytes() + b"\x90\x90")
    refreshed = workflow.refresh(intake_id, actor=BOB)
    assert refreshed.state is IntakeState.RECEIVED
    assert not refreshed.valid_approvals and len(refreshed.approvals) == 2
    assert "void" in refreshed.transitions[-1].note
    with pytest.raises(WorkflowError, match=r"needs approved"):
        workflow.deploy(intake_id, actor=BOB)


def test_a_replaced_sbom_diff_voids_earlier_approvals(
    workflow: Workflow, inputs: Inputs, tmp_path: Path
) -> None:
    intake_id = _ready(workflow, inputs)
    workflow.approve(intake_id, actor=BOB)
    document = json.loads(inputs.diff.read_text(encoding="utf-8"))
    document["unchanged"] += 1
    other = tmp_path / "diff-2.json"
    other.write_text(json.dumps(document), encoding="utf-8")
    intake = workflow.attach(intake_id, actor=ALICE, sbom_diff=other)
    assert not intake.valid_approvals
    workflow.approve(intake_id, actor=BOB)  # bob may approve the new inputs
    assert workflow.approve(intake_id, actor=CAROL).state is IntakeState.APPROVED


def test_the_rollback_plan_is_re_verified_at_approval_and_rollback(
    workflow: Workflow, inputs: Inputs
) -> None:
    intake_id = _ready(workflow, inputs)
    original = inputs.previous.read_bytes()
    inputs.previous.write_bytes(b"someone replaced the previous firmware")
    with pytest.raises(WorkflowError, match="previous version's package"):
        workflow.approve(intake_id, actor=BOB)
    inputs.previous.write_bytes(original)
    workflow.approve(intake_id, actor=BOB)
    workflow.approve(intake_id, actor=CAROL)
    workflow.deploy(intake_id, actor=BOB)
    inputs.config.write_text("<config changed='yes'/>", encoding="utf-8")
    with pytest.raises(WorkflowError, match="cannot roll back safely"):
        workflow.rollback(intake_id, actor=BOB, reason="PROFIsafe watchdog trips after update")
    inputs.config.write_text("<config/>", encoding="utf-8")
    rolled = workflow.rollback(intake_id, actor=BOB, reason="PROFIsafe watchdog trips after update")
    assert rolled.state is IntakeState.ROLLED_BACK and rolled.transitions[-1].note.startswith("PROFIsafe")


def test_an_integrity_only_report_does_not_verify_the_intake(
    workflow: Workflow, package: Path, tmp_path: Path, db_url: str
) -> None:
    report = verify_here(db_url, package, tmp_path / "r.json", sums=[sums_for(package)])
    intake = workflow.intake(package, product="KA-9", version="5.4.2", actor=ALICE)
    attached = workflow.attach(intake.id, actor=ALICE, report=report)
    assert attached.state is IntakeState.RECEIVED
    with pytest.raises(WorkflowError, match="integrity_only, not authentic"):
        workflow.approve(intake.id, actor=BOB)


def test_a_report_about_another_package_does_not_verify_the_intake(
    workflow: Workflow, inputs: Inputs, tmp_path: Path
) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"another package")
    intake = workflow.intake(other, product="KA-9", version="5.4.2", actor=ALICE)
    assert workflow.attach(intake.id, actor=ALICE, report=inputs.report).state is IntakeState.RECEIVED


# -- only verifications made here count (ADR 0073) --------------------------------------------


def _forge(report: Path, package: Path, target: Path) -> Path:
    """The reviewer's attack: an authentic report with another package's SHA-256 swapped in."""
    document = json.loads(report.read_text(encoding="utf-8"))
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    old = document["package"]["sha256"]
    document["package"]["sha256"] = digest
    for item in document["inputs"]:
        if item["sha256"] == old:
            item["sha256"] = digest
    for check in document["checks"]:
        if check["subject_sha256"] == old:
            check["subject_sha256"] = digest
    target.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return target


def test_a_forged_report_for_a_tampered_package_is_refused(
    workflow: Workflow, inputs: Inputs, tmp_path: Path, db_url: str
) -> None:
    tampered = tmp_path / "ka9-5.4.2-tampered.bin"
    tampered.write_bytes(inputs.package.read_bytes() + b"\x90\x90 backdoor")
    forged = _forge(inputs.report, tampered, tmp_path / "forged-report.json")
    intake = workflow.intake(tampered, product="KA-9", version="5.4.2", actor=ALICE)
    with pytest.raises(WorkflowError, match="not written by 'otvet update verify' on this installation"):
        workflow.attach(intake.id, actor=ALICE, report=forged)
    refreshed = workflow.refresh(intake.id, actor=BOB)
    assert refreshed.state is IntakeState.RECEIVED and refreshed.report_sha256 is None
    with pytest.raises(WorkflowError, match="not ready for approval"):
        workflow.approve(intake.id, actor=BOB)
    log = AuditLog.open(db_url)
    try:
        refused = [r for r in log.records() if r.correlation_id == intake.id and r.outcome is Outcome.FAILURE]
        assert (
            refused and refused[0].action == "update.attach" and "no audit record" in refused[0].description
        )
    finally:
        log.close()


def test_a_report_written_into_the_database_behind_the_workflows_back_does_not_verify(
    workflow: Workflow, inputs: Inputs, engine: Engine, tmp_path: Path
) -> None:
    # Attach the genuine report, then swap the file for the forgery and fix up the stored digest
    # (someone with database access): refresh must still refuse, because no update.verify wrote it.
    intake = workflow.intake(inputs.package, product="KA-9", version="5.4.2", actor=ALICE)
    assert workflow.attach(intake.id, actor=ALICE, report=inputs.report).state is IntakeState.VERIFIED
    _forge(inputs.report, inputs.package, inputs.report)  # same package, rewritten JSON: new SHA-256
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE update_intake SET report_sha256 = :d WHERE id = :i"),
            {"d": hashlib.sha256(inputs.report.read_bytes()).hexdigest(), "i": intake.id},
        )
    refreshed = workflow.refresh(intake.id, actor=BOB)
    assert refreshed.state is IntakeState.RECEIVED
    assert "not written by 'otvet update verify' on this installation" in refreshed.transitions[-1].note


def test_a_trust_store_change_since_the_verification_sends_the_intake_back(
    workflow: Workflow, inputs: Inputs, minisign: Minisign, db_url: str
) -> None:
    intake = workflow.intake(inputs.package, product="KA-9", version="5.4.2", actor=ALICE)
    assert workflow.attach(intake.id, actor=ALICE, report=inputs.report).state is IntakeState.VERIFIED
    another, _ = minisign.generate("another-vendor")
    update_service.trust_add("minisign", another, actor=ALICE, url=db_url, trail=DefaultTrail(db_url))
    refreshed = workflow.refresh(intake.id, actor=BOB)
    assert refreshed.state is IntakeState.RECEIVED
    assert "trust store changed since the verification" in refreshed.transitions[-1].note


def test_without_a_ledger_no_report_verifies(engine: Engine, db_url: str, inputs: Inputs) -> None:
    blind = Workflow(engine, DefaultTrail(db_url))
    intake = blind.intake(inputs.package, product="KA-9", version="5.4.2", actor=ALICE)
    with pytest.raises(WorkflowError, match="no audit record"):
        blind.attach(intake.id, actor=ALICE, report=inputs.report)
