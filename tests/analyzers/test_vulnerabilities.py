"""The vulnerability analyzer through the orchestrator, on real NVD/KEV data and example bundles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.core import assess
from otvet.knowledge import KnowledgeBase
from otvet.model import Assessment, Severity, Status

pytestmark = pytest.mark.corpus

NOW = datetime(2026, 7, 1, tzinfo=UTC)


def _result(assessment: Assessment, criterion: str):  # type: ignore[no-untyped-def]
    outcome = assessment.outcome(criterion)
    return next((r for r in outcome.supporting if r.analyzer == "vulnerabilities"), None)


@pytest.fixture
def store(tmp_path: Path, corpus: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    knowledge = KnowledgeBase.open(url)
    try:
        knowledge.import_data("nvd", corpus / "nvd", now=NOW)
        knowledge.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    finally:
        knowledge.close()
    return url


def _bundle(tmp_path: Path, components: list[dict[str, str]], vex: dict | None = None) -> Path:  # type: ignore[type-arg]
    folder = tmp_path / "bundle"
    folder.mkdir()
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:11111111-2222-3333-4444-555555555555",
        "version": 1,
        "metadata": {
            "component": {"type": "firmware", "bom-ref": "plc", "name": "Test PLC", "version": "1.0"}
        },
        "components": components,
    }
    (folder / "sbom.cdx.json").write_text(json.dumps(bom))
    if vex is not None:
        (folder / "vex.openvex.json").write_text(json.dumps(vex))
    return folder


LOG4J = {
    "type": "library",
    "bom-ref": "log4j",
    "name": "log4j-core",
    "version": "2.14.1",
    "cpe": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
}


def test_empty_store_gives_not_evidenced_with_the_reason(tmp_path: Path, examples: Path) -> None:
    assessment = assess(
        examples / "northwind-rtu", now=NOW, knowledge_url=f"sqlite:///{tmp_path / 'none.sqlite3'}"
    )
    result = _result(assessment, "SBD-11.04")
    assert result is not None and result.status is Status.NOT_EVIDENCED
    assert "no vulnerability data imported (otvet db import" in result.rationale


def test_northwind_open_high_vulnerabilities_partially_meet(store: str, examples: Path) -> None:
    assessment = assess(examples / "northwind-rtu", now=NOW, knowledge_url=store)
    result = _result(assessment, "SBD-11.04")
    assert result is not None and result.status is Status.PARTIALLY_MET
    assert "critical/high" in result.rationale and "could not be checked" in result.rationale
    (section,) = [s for s in assessment.sections if s.id == "vulnerabilities"]
    matches = section.tables[0]
    assert {row[0] for row in matches.rows} == {
        "CVE-2021-3711",
        "CVE-2022-37434",
        "CVE-2022-0778",
        "CVE-2023-0286",
    }
    assert all(row[11] == "cpe-range" for row in matches.rows)
    assert len(section.tables[1].rows) == 12  # unmatchable components, each with its reason
    sources = {d.source for d in assessment.provenance.data_sets}
    assert sources == {"nvd", "kev"}
    # the corpus data is months old at NOW: a warning names the data age
    assert any(p.severity is Severity.WARNING and "days old" in p.message for p in assessment.problems)


def test_kev_listed_vulnerability_without_vex_is_not_met(store: str, tmp_path: Path) -> None:
    assessment = assess(_bundle(tmp_path, [LOG4J]), now=NOW, knowledge_url=store)
    result = _result(assessment, "SBD-11.04")
    assert result is not None and result.status is Status.NOT_MET
    assert "CVE-2021-44228 in log4j-core@2.14.1" in result.rationale


def test_not_affected_vex_for_that_component_lifts_the_kev_finding(store: str, tmp_path: Path) -> None:
    vex = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.test/vex-1",
        "author": "Test PLC vendor",
        "timestamp": "2026-06-01T00:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-44228"},
                "products": [{"@id": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_present",
            }
        ],
    }
    assessment = assess(
        _bundle(tmp_path, [LOG4J], vex), now=NOW, knowledge_url=store, options={"max_data_age_days": "100000"}
    )
    result = _result(assessment, "SBD-11.04")
    assert result is not None and result.status is Status.MET
    monitoring = _result(assessment, "SBD-11.19")
    assert monitoring is not None and monitoring.status is Status.MET
    (section,) = [s for s in assessment.sections if s.id == "vulnerabilities"]
    row = section.tables[0].rows[0]
    assert row[8] == "not_affected" and row[9] == "vulnerable_code_not_present"
    assert not any("days old" in p.message for p in assessment.problems)


def test_monitoring_without_any_vex_is_not_met(store: str, tmp_path: Path) -> None:
    assessment = assess(_bundle(tmp_path, [LOG4J]), now=NOW, knowledge_url=store)
    monitoring = _result(assessment, "SBD-11.19")
    assert monitoring is not None and monitoring.status is Status.NOT_MET
    assert "0 of 1" in monitoring.rationale


def test_kestrel_components_without_cpe_are_listed_not_guessed(store: str, examples: Path) -> None:
    """The rich example SBOM: CPEs where they exist (no finding in the corpus data for those
    versions), pkg:github purls without CPE are unmatchable: the verdict cannot be met."""
    assessment = assess(examples / "kestrel-plc", now=NOW, knowledge_url=store)
    result = _result(assessment, "SBD-11.04")
    assert result is not None and result.status is Status.PARTIALLY_MET
    (section,) = [s for s in assessment.sections if s.id == "vulnerabilities"]
    assert section.tables[0].rows == ()
    unmatchable = {row[0]: row[3] for row in section.tables[1].rows}
    assert "mcuboot@2.1.0" in unmatchable and "github" in unmatchable["mcuboot@2.1.0"]
    assert "zephyr@3.6.0" not in unmatchable  # it has a CPE
