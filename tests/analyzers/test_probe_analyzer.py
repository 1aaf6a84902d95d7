"""The probe analyzer: check findings become observed criterion results, silence never a pass."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.analyzers.probe import CRITERIA, ProbeAnalyzer
from otvet.core import assess
from otvet.core import audit as audit_service
from otvet.core.audit import default_trail
from otvet.core.probe import write_probe_result
from otvet.formats.probe import probe_result_json
from otvet.model import Basis, Severity, Status
from otvet.model.probe import (
    PROBE_SCHEMA_VERSION,
    Budget,
    BudgetUsage,
    Category,
    CheckRecord,
    Finding,
    ProbeOptions,
    ProbeRun,
    ProbeTarget,
    RobustnessReport,
    Transport,
    Verdict,
)
from otvet.model.provenance import Origin
from otvet.probe.registry import CHECKS

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TINY = Path(__file__).resolve().parent.parent / "assets" / "bundles" / "tiny"


def record(
    check_id: str, *findings: Finding, not_run: str | None = None, criteria: tuple[str, ...] = ()
) -> CheckRecord:
    worst = max((f.verdict for f in findings), key=lambda v: v.severity, default=Verdict.INDETERMINATE)
    return CheckRecord(
        check_id=check_id,
        check_version="1.0",
        title=check_id,
        category=Category.SAFE,
        target="192.0.2.10",
        port=23,
        transport=Transport.TCP,
        protocol="telnet",
        started_at=NOW,
        finished_at=NOW,
        budget=Budget(1, 1, 10),
        used=BudgetUsage(connections=1),
        verdict=worst,
        rationale=" ".join(f.rationale for f in findings) or (f"Not run: {not_run}." if not_run else ""),
        findings=findings,
        criteria=criteria or tuple(dict.fromkeys(c for f in findings for c in f.criteria)),
        not_run=not_run,
    )


def run_with(*records: CheckRecord, degraded: bool = False, labels: dict[str, str] | None = None) -> ProbeRun:
    return ProbeRun(
        otvet_probe=PROBE_SCHEMA_VERSION,
        run_id="test",
        tool="otvet test",
        started_at=NOW,
        finished_at=NOW,
        target=ProbeTarget(host="192.0.2.10"),
        address="192.0.2.10",
        options=ProbeOptions(),
        checks=records,
        watch=RobustnessReport(
            enabled=True,
            heartbeat="modbus tcp/502",
            verdict=Verdict.FAIL if degraded else Verdict.PASS,
            rationale="The device degraded." if degraded else "All heartbeats answered.",
            degraded=degraded,
            beats=5,
        ),
        labels=labels or {},
    )


def assess_with(tmp_path: Path, *runs: ProbeRun) -> dict[str, object]:
    extra = []
    for index, run in enumerate(runs):
        path = tmp_path / f"probe-{index}.json"
        path.write_text(probe_result_json(run), encoding="utf-8")
        extra.append(path)
    assessment = assess(TINY, now=NOW, extra=extra, profile="strict")
    return {o.criterion_id: o for o in assessment.outcomes}


def by_probe(outcome: object) -> object:
    """The probe's own result among an outcome's supporting results."""
    found = [r for r in outcome.supporting if r.analyzer == "probe"]  # type: ignore[attr-defined]
    assert len(found) == 1
    return found[0]


def passed(key: str, criterion: str, text: str, *, conclusive: bool = True) -> Finding:
    return Finding(key, Verdict.PASS, text, (criterion,), conclusive)


LEGACY_PASSES = [
    record(check, passed("x", "SBD-06.04", f"{check} off"))
    for check in ("telnet.service", "ftp.service", "tftp.service", "snmp.v1v2c_public", "http.cleartext")
]


def test_a_fail_anywhere_is_not_met_and_observed(tmp_path: Path) -> None:
    telnet_on = record(
        "telnet.service",
        Finding("telnet", Verdict.FAIL, "A Telnet service answers on tcp/23.", ("SBD-06.04", "SBD-07.06")),
    )
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES[1:], telnet_on))
    outcome = outcomes["SBD-06.04"]
    assert (outcome.status, outcome.basis, outcome.analyzer) == (Status.NOT_MET, Basis.OBSERVED, "probe")
    assert "Telnet service answers" in outcome.rationale
    assert outcome.evidence[0].location.startswith("/checks/")
    assert outcomes["SBD-07.06"].status is Status.NOT_MET


def test_all_needed_passes_make_met(tmp_path: Path) -> None:
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES))
    assert (outcomes["SBD-06.04"].status, outcomes["SBD-06.04"].basis) == (Status.MET, Basis.OBSERVED)


def test_a_missing_legacy_check_keeps_it_open(tmp_path: Path) -> None:
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES[:-1]))
    result = by_probe(outcomes["SBD-06.04"])
    assert result.status is Status.NOT_EVIDENCED and "http.cleartext" in result.rationale


def test_a_needed_check_that_cannot_show_it_keeps_it_open(tmp_path: Path) -> None:
    # SNMP that ignores 'public' may still speak v2c with another community.
    snmp_unsure = record(
        "snmp.v1v2c_public",
        passed("snmp", "SBD-06.04", "The agent ignores community 'public'.", conclusive=False),
    )
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES[:3], snmp_unsure, LEGACY_PASSES[4]))
    result = by_probe(outcomes["SBD-06.04"])
    assert result.status is Status.NOT_EVIDENCED
    assert "snmp.v1v2c_public cannot show from the network" in result.rationale


def test_silence_is_never_a_pass(tmp_path: Path) -> None:
    silent = record(
        "tftp.service", Finding("tftp", Verdict.INDETERMINATE, "No answer from udp/69.", ("SBD-06.04",))
    )
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES[:2], silent, *LEGACY_PASSES[3:]))
    result = by_probe(outcomes["SBD-06.04"])
    assert result.status is Status.NOT_EVIDENCED and "No answer from udp/69" in result.rationale


def test_an_inconclusive_pass_cannot_prove_a_criterion(tmp_path: Path) -> None:
    refused = record(
        "creds.http", passed("defaults", "SBD-06.01", "Refused all 3 default credentials.", conclusive=False)
    )
    outcomes = assess_with(tmp_path, run_with(refused))
    result = by_probe(outcomes["SBD-06.01"])
    assert result.status is Status.NOT_EVIDENCED and "cannot show" in result.rationale


def test_checks_that_did_not_run_leave_their_criteria_open(tmp_path: Path) -> None:
    stopped = record("tls.versions", not_run="the device degraded", criteria=("SBD-06.05",))
    outcomes = assess_with(tmp_path, run_with(stopped))
    result = by_probe(outcomes["SBD-06.05"])
    assert result.status is Status.NOT_EVIDENCED and "did not run" in result.rationale


def test_criteria_no_check_spoke_to_are_left_alone(tmp_path: Path) -> None:
    outcomes = assess_with(tmp_path, run_with(*LEGACY_PASSES))
    # The tiny bundle's own evidence decides SBD-07.08; the probe said nothing about it.
    assert not [r for r in outcomes["SBD-07.08"].supporting if r.analyzer == "probe"]


def test_stability_from_the_watch(tmp_path: Path) -> None:
    degraded = assess_with(tmp_path, run_with(*LEGACY_PASSES, degraded=True))
    assert degraded["SBD-08.05"].status is Status.NOT_MET
    gentle = assess_with(tmp_path, run_with(*LEGACY_PASSES))
    assert by_probe(gentle["SBD-08.05"]).status is Status.NOT_EVIDENCED
    burst = record(
        "load.connection_burst",
        passed("burst", "SBD-08.05", "10 connections: 10 accepted.", conclusive=False),
    )
    loaded = assess_with(tmp_path, run_with(*LEGACY_PASSES, burst))
    assert loaded["SBD-08.05"].status is Status.MET


def test_an_unreadable_probe_file_is_a_problem_and_not_evidenced(tmp_path: Path) -> None:
    bad = tmp_path / "probe.json"
    bad.write_text(json.dumps({"otvet_probe": "1.0", "checks": "lots"}), encoding="utf-8")
    assessment = assess(TINY, now=NOW, extra=[bad])
    problems = [p for p in assessment.problems if p.source == "probe"]
    assert problems and problems[0].path == "extra/probe.json"
    result = by_probe(assessment.outcome("SBD-06.05"))
    assert result.status is Status.NOT_EVIDENCED and "could not be read" in result.rationale


def test_the_report_section_lists_checks_and_simulator_label(tmp_path: Path) -> None:
    path = tmp_path / "probe.json"
    path.write_text(
        probe_result_json(run_with(*LEGACY_PASSES, labels={"simulated": "true"})), encoding="utf-8"
    )
    assessment = assess(TINY, now=NOW, extra=[path])
    (section,) = [s for s in assessment.sections if s.id == "probe"]
    checks = section.tables[0]
    assert [row[0] for row in checks.rows] == [r.check_id for r in LEGACY_PASSES]
    assert any("simulated device" in note for note in section.notes)


def test_the_analyzer_knows_every_criterion_a_check_can_speak_to() -> None:
    declared = {c for cls in CHECKS for c in cls.criteria} | {"SBD-08.05"}
    assert declared <= set(CRITERIA)
    assert set(ProbeAnalyzer.criteria) == set(CRITERIA)


@pytest.mark.parametrize(
    ("bundle", "lab", "expected"),
    [
        (
            "northwind-rtu",
            "nw-rtu-500-probe.json",
            {
                "SBD-06.04": Status.NOT_MET,
                "SBD-06.05": Status.NOT_MET,
                "SBD-06.01": Status.NOT_MET,
                "SBD-08.01": Status.NOT_MET,
            },
        ),
        (
            "kestrel-plc",
            "ka9-probe.json",
            {
                "SBD-06.04": Status.MET,
                "SBD-06.05": Status.MET,
                "SBD-07.08": Status.MET,
                "SBD-07.06": Status.MET,
            },
        ),
    ],
)
def test_example_lab_results_are_the_buyers_observations(
    examples: Path, bundle: str, lab: str, expected: dict[str, Status]
) -> None:
    assert not list((examples / bundle).rglob("*probe*.json"))  # the vendor bundles ship none
    assessment = assess(examples / bundle, now=NOW, extra=[examples / "lab" / lab])
    probe_artifacts = [a for a in assessment.artifacts if a.kind.value == "probe_result"]
    assert [(a.path, a.origin) for a in probe_artifacts] == [(f"extra/{lab}", Origin.BUYER)]
    for criterion, status in expected.items():
        outcome = assessment.outcome(criterion)
        assert outcome.status is status, (criterion, outcome.rationale)
        observed = [r for r in outcome.supporting if r.analyzer == "probe"]
        assert observed and observed[0].basis in (Basis.OBSERVED, Basis.NONE)
    (section,) = [s for s in assessment.sections if s.id == "probe"]
    assert any("simulated device" in note for note in section.notes)


def _bundle_with(tmp_path: Path, run: ProbeRun, name: str = "probe/lab-run.json") -> tuple[Path, Path]:
    """A copy of the tiny bundle with a probe result inside it, as a vendor would ship it."""
    bundle = tmp_path / "bundle"
    shutil.copytree(TINY, bundle)
    inside = bundle / name
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_text(probe_result_json(run), encoding="utf-8")
    return bundle, inside


FORGED = (
    *LEGACY_PASSES,
    record("ssh.algorithms", passed("ssh", "SBD-06.05", "Only modern SSH algorithms.")),
)


def test_a_probe_result_inside_the_vendors_bundle_is_only_a_claim(tmp_path: Path) -> None:
    bundle, _ = _bundle_with(tmp_path, run_with(*FORGED))
    assessment = assess(bundle, now=NOW, profile="strict")
    (artifact,) = [a for a in assessment.artifacts if a.kind.value == "probe_result"]
    assert artifact.origin is Origin.BUNDLE
    for criterion in ("SBD-06.04", "SBD-06.05"):
        outcome = assessment.outcome(criterion)
        assert outcome.basis is not Basis.OBSERVED, criterion
        claim = by_probe(outcome)
        assert claim.basis is Basis.ATTESTED and claim.status is Status.MET  # type: ignore[attr-defined]
        assert "Claimed by the vendor, not observed by you" in claim.rationale  # type: ignore[attr-defined]
        assert "otvet assess --probe FILE" in claim.rationale  # type: ignore[attr-defined]
    assert not [o for o in assessment.outcomes if o.basis is Basis.OBSERVED]
    (warning,) = [p for p in assessment.problems if p.source == "probe" and p.path == artifact.path]
    assert warning.severity is Severity.WARNING and "shipped inside the vendor's bundle" in warning.message
    (section,) = [s for s in assessment.sections if s.id == "probe"]
    assert any("vendor's claim" in note for note in section.notes)
    assert "0 criterion result(s) observed" in section.summary


def test_the_same_file_added_by_the_buyer_is_observed(tmp_path: Path) -> None:
    _, inside = _bundle_with(tmp_path, run_with(*FORGED))
    assessment = assess(TINY, now=NOW, profile="strict", extra=[inside])
    outcome = assessment.outcome("SBD-06.04")
    assert (outcome.status, outcome.basis) == (Status.MET, Basis.OBSERVED)
    assert not [p for p in assessment.problems if "shipped inside" in p.message]


def test_failures_a_vendor_ships_are_named_in_the_warning(tmp_path: Path) -> None:
    telnet_on = record(
        "telnet.service",
        Finding("telnet", Verdict.FAIL, "A Telnet service answers on tcp/23.", ("SBD-06.04",)),
    )
    bundle, _ = _bundle_with(tmp_path, run_with(*LEGACY_PASSES[1:], telnet_on))
    assessment = assess(bundle, now=NOW, profile="strict")
    claim = by_probe(assessment.outcome("SBD-06.04"))
    assert (claim.status, claim.basis) == (Status.NOT_MET, Basis.ATTESTED)  # type: ignore[attr-defined]
    (warning,) = [p for p in assessment.problems if "shipped inside" in p.message]
    assert "it reports failures for SBD-06.04" in warning.message


def test_a_bundle_file_this_installation_recorded_producing_is_the_buyers(
    tmp_path: Path, otvet_home: Path
) -> None:
    run = run_with(*FORGED)
    written = write_probe_result(run, tmp_path / "my-lab-run.json")  # records probe.run with its sha256
    bundle = tmp_path / "bundle"
    shutil.copytree(TINY, bundle)
    (bundle / "probe").mkdir()
    shutil.copy(written, bundle / "probe" / "my-lab-run.json")
    try:
        trail = default_trail()
        assessment = assess(bundle, now=NOW, profile="strict", audit=trail)
        (artifact,) = [a for a in assessment.artifacts if a.kind.value == "probe_result"]
        assert artifact.origin is Origin.RECORDED
        assert artifact.origin_note is not None and "probe.run" in artifact.origin_note
        assert assessment.outcome("SBD-06.04").basis is Basis.OBSERVED
        (recorded,) = [r for r in audit_service.records() if r.action == "assess.run"]
        assert recorded.details["buyer_evidence"] == ["probe/my-lab-run.json (recorded)"]
        # One changed byte and it is no longer the file this installation wrote.
        forged = bundle / "probe" / "my-lab-run.json"
        forged.write_bytes(forged.read_bytes().replace(b"otvet test", b"otvet tesT"))
        again = assess(bundle, now=NOW, profile="strict", audit=trail)
        (artifact,) = [a for a in again.artifacts if a.kind.value == "probe_result"]
        assert artifact.origin is Origin.BUNDLE
        assert by_probe(again.outcome("SBD-06.04")).basis is Basis.ATTESTED  # type: ignore[attr-defined]
        # Without a ledger (no audit trail given) nothing is recognised: fail closed.
        shutil.copy(written, forged)
        assert assess(bundle, now=NOW, profile="strict").outcome("SBD-06.04").basis is not Basis.OBSERVED
    finally:
        audit_service.close_all()


def test_identity_mismatch_is_a_warning(tmp_path: Path) -> None:
    run = replace(run_with(*LEGACY_PASSES), target=ProbeTarget(host="192.0.2.10", product="Something Else"))
    path = tmp_path / "probe.json"
    path.write_text(probe_result_json(run), encoding="utf-8")
    assessment = assess(TINY, now=NOW, extra=[path])
    assert any("Something Else" in p.message for p in assessment.problems)
