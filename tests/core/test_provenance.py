"""Provenance services: probe runs are recorded with their file digest, and recognised later."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from otvet.core import audit as audit_service
from otvet.core.audit import default_trail
from otvet.core.probe import write_probe_result
from otvet.core.provenance import recognise_own_results
from otvet.model import UNKNOWN_PRODUCT, ArtifactKind, EvidenceArtifact, EvidenceBundle
from otvet.model.probe import LabConfirmation
from otvet.model.provenance import Origin
from tests.analyzers.test_probe_analyzer import LEGACY_PASSES, NOW, run_with


@pytest.fixture(autouse=True)
def _fresh_audit(otvet_home: Path) -> Iterator[None]:
    yield
    audit_service.close_all()


def test_a_probe_run_is_recorded_with_the_result_files_sha256(tmp_path: Path) -> None:
    run = run_with(*LEGACY_PASSES, labels={"simulated": "true"})
    lab = LabConfirmation(
        allow_list=("192.0.2.10",), phrase="p", typed="p", confirmed_at=NOW, operator="erin"
    )
    run = replace(run, options=replace(run.options, lab=lab))
    path = write_probe_result(run, tmp_path / "out" / "lab-run.json")
    (record,) = [r for r in audit_service.records() if r.action == "probe.run"]
    assert record.details["result_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.actor == "erin"  # the operator who confirmed the lab target
    assert record.details["address"] == "192.0.2.10" and record.details["checks"] == len(LEGACY_PASSES)
    assert record.details["verdicts"] == {"pass": len(LEGACY_PASSES)}
    assert record.correlation_id == run.run_id
    assert audit_service.produced_here(record.details["result_sha256"]) == record


def _bundle(*artifacts: EvidenceArtifact) -> EvidenceBundle:
    return EvidenceBundle(root=Path("/nonexistent"), source="b", product=UNKNOWN_PRODUCT, artifacts=artifacts)


def test_only_bundle_results_with_a_record_become_the_buyers(tmp_path: Path) -> None:
    path = write_probe_result(run_with(*LEGACY_PASSES), tmp_path / "mine.json")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    ours = EvidenceArtifact("probe/mine.json", ArtifactKind.PROBE_RESULT, 1, digest)
    theirs = EvidenceArtifact("probe/theirs.json", ArtifactKind.PROBE_RESULT, 1, "00" * 32)
    document = EvidenceArtifact("docs/same-bytes.md", ArtifactKind.DOCUMENT, 1, digest)  # not a result kind
    bundle = _bundle(ours, theirs, document)
    recognised = recognise_own_results(bundle, default_trail())
    origins = {a.path: a.origin for a in recognised.artifacts}
    assert origins == {
        "probe/mine.json": Origin.RECORDED,
        "probe/theirs.json": Origin.BUNDLE,
        "docs/same-bytes.md": Origin.BUNDLE,
    }
    assert recognise_own_results(bundle, None) is bundle  # no ledger, no change
