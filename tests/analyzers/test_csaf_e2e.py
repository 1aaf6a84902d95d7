"""End to end through ``otvet.core.assess``: the example bundles' advisories, security.txt and support period."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from otvet.core import assess
from otvet.model import Status

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _result(assessment: object, analyzer: str, criterion: str) -> object:
    for outcome in assessment.outcomes:  # type: ignore[attr-defined]
        for r in outcome.supporting:
            if r.analyzer == analyzer and r.criterion_id == criterion:
                return r
    raise AssertionError(f"no {analyzer} result for {criterion}")


def test_northwind(examples: Path) -> None:
    a = assess(examples / "northwind-rtu", profile="strict", now=NOW)
    section = next(s for s in a.sections if s.id == "csaf-advisories")
    rows = section.data["statements"]
    exact = [r for r in rows if r["product"].endswith("firmware 3.2.1")]
    assert exact[0]["cve"] == "CVE-2023-0286" and exact[0]["status"] == "known_affected"
    assert exact[0]["confidence"] == "exact" and "Update to firmware 3.3.0" in exact[0]["fix_or_mitigation"]
    assert not any(r["product_id"] == "CSAFPID-0003" for r in rows)  # the fixed 3.3.0 does not apply
    sec = _result(a, "security_txt", "SBD-11.08")
    assert sec.status is Status.NOT_MET and "expired on 2025-03-31" in sec.rationale  # type: ignore[attr-defined]
    assert any("no Policy" in p.message for p in a.problems)
    life = _result(a, "support_period", "SBD-12.10")
    assert life.status is Status.NOT_MET and "2029-06-30" in life.rationale  # type: ignore[attr-defined]
    assert _result(a, "csaf", "SBD-11.06").status is Status.PARTIALLY_MET  # type: ignore[attr-defined]


def test_kestrel(examples: Path) -> None:
    a = assess(examples / "kestrel-plc", profile="strict", now=NOW)
    rows = a.sections[[s.id for s in a.sections].index("csaf-advisories")].data["statements"]
    statuses = {(r["cve"], r["status"]) for r in rows}
    assert ("CVE-2024-6387", "known_not_affected") in statuses
    assert ("CVE-2024-7345", "fixed") in statuses
    assert not any(r["status"] == "known_affected" for r in rows)  # 5.4.0 is outside "< 5.3.2"
    for criterion in ("SBD-11.06", "SBD-11.09", "SBD-11.11", "SBD-11.12"):
        assert _result(a, "csaf", criterion).status is Status.MET  # type: ignore[attr-defined]
    assert _result(a, "security_txt", "SBD-11.08").status is Status.MET  # type: ignore[attr-defined]
    assert _result(a, "security_txt", "SBD-11.07").status is Status.MET  # type: ignore[attr-defined]
    assert _result(a, "support_period", "SBD-12.10").status is Status.MET  # type: ignore[attr-defined]
    assert _result(a, "support_period", "SBD-12.04").status is Status.MET  # type: ignore[attr-defined]


def test_planned_service_life_option_overrides_the_manifest(examples: Path) -> None:
    # Kestrel supports 5.4.0 until 2047-12-31; a buyer planning 30 years of service must be told.
    a = assess(
        examples / "kestrel-plc", profile="strict", now=NOW, options={"planned_service_life_years": "30"}
    )
    life = _result(a, "support_period", "SBD-12.10")
    assert life.status is Status.NOT_MET and "2047-12-31" in life.rationale  # type: ignore[attr-defined]
