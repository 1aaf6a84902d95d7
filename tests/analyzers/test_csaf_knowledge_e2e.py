"""End to end: CISA ICS advisories imported into a knowledge base, a bundle of our own naming a
real product and version, ``otvet.core.assess``: the advisories that concern that version
appear with their status, fix or mitigation, match confidence and data set, and decide
SBD-11.04 / SBD-11.10 (ADR 0047). Runs against SQLite and PostgreSQL.

Facts used below, read by hand from the advisories:

- ICSA-18-095-02 (Moxa MXview "<= 2.8"): CVE-2018-7506, CVSS 7.5, known_affected, vendor_fix
  "MXview versions 2.9 can be downloaded"; ICSA-18-011-02 (MXview "<= 2.8"): CVE-2017-14030,
  CVSS 7.8, mitigation only ("new firmware Version 2.9"); ICSA-21-278-03 (MXview Network
  Management Software ">= 3.x | <= 3.2.2"): a range with a wildcard, not evaluable.
- ICSA-23-348-15 (Unitronics VisiLogic "<9.9.00"): CVE-2023-6448, CVSS 9.8, in the CISA KEV
  catalog, vendor_fix "patched ... in VisiLogic version 9.9.00".
- ICSA-22-041-05 (Siemens SICAM TOOLBOX II "vers:all/*"): CVE-2021-45106, CVSS 9.9,
  no_fix_planned "Currently no fix is planned" (and mitigations).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from otvet.core import assess
from otvet.knowledge import KnowledgeBase
from otvet.model import Status
from tests.knowledge.conftest import cisa_subset

pytestmark = pytest.mark.corpus

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture
def store(db_url: str, corpus: Path, tmp_path: Path) -> str:
    """The Moxa, Unitronics and SICAM TOOLBOX II advisories and the KEV catalog, imported."""
    folder = tmp_path / "cisa"
    names = cisa_subset(corpus, folder, vendors=("Moxa", "Unitronics"), titles=("SICAM TOOLBOX II",))
    assert "2023/icsa-23-348-15.json" in names and "2022/icsa-22-041-05.json" in names
    knowledge = KnowledgeBase.open(db_url)
    try:
        report = knowledge.import_data("csaf", folder, now=NOW)
        assert report.added == len(names) and report.problem_count == 0
        knowledge.import_data("kev", corpus / "kev" / "known_exploited_vulnerabilities.json", now=NOW)
    finally:
        knowledge.close()
    return db_url


def _bundle(root: Path, vendor: str, product: str, version: str) -> Path:
    root.mkdir(parents=True)
    (root / "otvet-bundle.yaml").write_text(
        f'otvet_bundle: 1\nproduct:\n  vendor: "{vendor}"\n  name: "{product}"\n  version: "{version}"\nartifacts: []\n',
        encoding="utf-8",
    )
    return root


def _assess(tmp_path: Path, store: str, vendor: str, product: str, version: str) -> Any:
    bundle = _bundle(tmp_path / f"{product}-{version}".replace(" ", "_"), vendor, product, version)
    return assess(bundle, profile="strict", now=NOW, knowledge_url=store)


def _rows(assessment: Any) -> list[dict[str, Any]]:
    section = next(s for s in assessment.sections if s.id == "csaf-knowledge-base")
    rows: list[dict[str, Any]] = section.data["statements"]
    return rows


def _csaf(assessment: Any, criterion: str) -> Any:
    return next(
        (
            r
            for o in assessment.outcomes
            for r in o.supporting
            if r.analyzer == "csaf" and r.criterion_id == criterion
        ),
        None,
    )


def test_advisories_of_the_assessed_version_with_fix_and_confidence(store: str, tmp_path: Path) -> None:
    a = _assess(tmp_path, store, "Moxa", "MXview", "2.8")
    rows = _rows(a)
    fixed = next(r for r in rows if r["advisory"] == "ICSA-18-095-02")
    assert (fixed["cve"], fixed["status"], fixed["confidence"], fixed["verdict"]) == (
        "CVE-2018-7506",
        "known_affected",
        "parsed_range",
        "match",
    )
    assert fixed["fix_available"] and "MXview versions 2.9" in fixed["fix"]
    assert fixed["cvss_score"] == 7.5 and not fixed["kev"]
    # the record names its data set: source file, sha256, import time
    assert fixed["source_file"] == "2018/icsa-18-095-02.json" and len(fixed["sha256"]) == 64
    assert fixed["data_set"].startswith("#1 ") and fixed["imported_at"].startswith("2026-11-21")
    mitigated = next(r for r in rows if r["advisory"] == "ICSA-18-011-02")
    assert not mitigated["fix_available"] and mitigated["mitigation_available"]
    review = next(r for r in rows if r["advisory"] == "ICSA-21-278-03")
    assert (review["verdict"], review["confidence"]) == ("undecided", "needs_review")
    assert any(d.source == "csaf" for d in a.provenance.data_sets)
    delivery = _csaf(a, "SBD-11.04")
    assert delivery.status is Status.PARTIALLY_MET and "CVE-2018-7506" in delivery.rationale
    assert "needs review" in delivery.rationale and "CVE-2021-38452" in delivery.rationale
    remediation = _csaf(a, "SBD-11.10")
    # CVE-2017-14030 has only a mitigation: not counted as "no fix", but no vendor fix is named
    assert remediation.status is Status.PARTIALLY_MET and "CVE-2017-14030" in remediation.rationale


def test_kev_listed_advisory_blocks_delivery(store: str, tmp_path: Path) -> None:
    a = _assess(tmp_path, store, "Unitronics", "VisiLogic", "9.8.65")
    (row,) = [r for r in _rows(a) if r["advisory"] == "ICSA-23-348-15"]
    assert row["kev"] and row["status"] == "known_affected" and "9.9.00" in row["fix"]
    delivery = _csaf(a, "SBD-11.04")
    assert (
        delivery.status is Status.NOT_MET
        and "CVE-2023-6448" in delivery.rationale
        and "KEV" in delivery.rationale
    )
    outcome = next(o for o in a.outcomes if o.criterion_id == "SBD-11.04")
    assert outcome.status is Status.NOT_MET
    assert any(b.criterion_id == "SBD-11.04" for b in a.blockers)


def test_no_fix_planned_fails_remediation(store: str, tmp_path: Path) -> None:
    a = _assess(tmp_path, store, "Siemens AG", "SICAM TOOLBOX II", "V07.01")
    assert any(r["advisory"] == "ICSA-22-041-05" and r["no_fix_planned"] for r in _rows(a))
    remediation = _csaf(a, "SBD-11.10")
    assert remediation.status is Status.NOT_MET and "CVE-2021-45106" in remediation.rationale


def test_version_just_outside_other_product_and_other_vendor(store: str, tmp_path: Path) -> None:
    # MXview 2.9 is just outside "<= 2.8": both 2018 advisories no longer apply; the 2021
    # advisory's unreadable range stays "needs review", never a match or a non-match.
    outside = _rows(_assess(tmp_path, store, "Moxa", "MXview", "2.9"))
    assert {r["advisory"] for r in outside} == {"ICSA-21-278-03"}
    assert all(r["verdict"] == "undecided" for r in outside)
    # VisiLogic 9.9.00 is the fixed version
    fixed = _assess(tmp_path, store, "Unitronics", "VisiLogic", "9.9.00")
    assert _rows(fixed) == [] and _csaf(fixed, "SBD-11.04") is None
    # same vendor, another product
    assert _rows(_assess(tmp_path, store, "Moxa", "MXstudio", "2.8")) == []
    # another vendor with a product of the same name
    assert _rows(_assess(tmp_path, store, "Advantech", "MXview", "2.8")) == []
