"""The probe analyzer: check findings become observed criterion results, silence never a pass."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.analyzers.probe import CRITERIA, ProbeAnalyzer
from otvet.core import assess
from otvet.formats.probe import probe_result_json
from otvet.model import Basis, Status
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
    ("bundle", "expected"),
    [
        (
            "northwind-rtu",
            {
                "SBD-06.04": Status.NOT_MET,
                "SBD-06.05": Status.NOT_MET,
                "SBD-06.01": Status.NOT_MET,
                "SBD-08.01": Status.NOT_MET,
            },
        ),
        (
            "kestrel-plc",
            {
                "SBD-06.04": Status.MET,
                "SBD-06.05": Status.MET,
                "SBD-07.08": Status.MET,
                "SBD-07.06": Status.MET,
            },
        ),
    ],
)
def test_example_bundles_carry_simulated_probe_results(
    examples: Path, bundle: str, expected: dict[str, Status]
) -> None:
    assessment = assess(examples / bundle, now=NOW)
    probe_artifacts = [a for a in assessment.artifacts if a.kind.value == "probe_result"]
    assert len(probe_artifacts) == 1 and probe_artifacts[0].detected_by == "manifest+content"
    for criterion, status in expected.items():
        outcome = assessment.outcome(criterion)
        assert outcome.status is status, (criterion, outcome.rationale)
        observed = [r for r in outcome.supporting if r.analyzer == "probe"]
        assert observed and observed[0].basis in (Basis.OBSERVED, Basis.NONE)
    (section,) = [s for s in assessment.sections if s.id == "probe"]
    assert any("simulated device" in note for note in section.notes)


def test_identity_mismatch_is_a_warning(tmp_path: Path) -> None:
    run = replace(run_with(*LEGACY_PASSES), target=ProbeTarget(host="192.0.2.10", product="Something Else"))
    path = tmp_path / "probe.json"
    path.write_text(probe_result_json(run), encoding="utf-8")
    assessment = assess(TINY, now=NOW, extra=[path])
    assert any("Something Else" in p.message for p in assessment.problems)
