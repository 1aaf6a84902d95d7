"""Log sample analyzer on the example bundles and on edge cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.catalog import load_catalog, load_profile
from otvet.core import assess
from otvet.model import Assessment, Basis, Status

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def northwind(examples: Path) -> Assessment:
    return assess(examples / "northwind-rtu", profile="strict", now=NOW)


@pytest.fixture(scope="module")
def kestrel(examples: Path) -> Assessment:
    return assess(examples / "kestrel-plc", profile="strict", now=NOW)


def _log_lines(examples: Path, bundle: str, name: str) -> list[str]:
    return (examples / bundle / "logs" / name).read_text(encoding="utf-8").splitlines()


def test_rfc3164_sample_contradicts_the_claimed_record_fields(northwind: Assessment, examples: Path) -> None:
    lines = _log_lines(examples, "northwind-rtu", "syslog-sample.log")
    assert all(
        not line.startswith("<") or ">1 " not in line[:6] for line in lines
    )  # no RFC 5424 line in the file
    fields = northwind.outcome("SBD-02.10")
    assert (fields.status, fields.basis) == (Status.NOT_MET, Basis.VERIFIED)
    assert fields.claim is not None and fields.claim.status is Status.MET
    assert fields.contradiction is not None
    assert "free text" in fields.rationale
    assert northwind.outcome("SBD-02.04").status is Status.PARTIALLY_MET


def test_event_types_seen_in_the_sample_are_verified(northwind: Assessment, examples: Path) -> None:
    lines = _log_lines(examples, "northwind-rtu", "syslog-sample.log")
    failed = [i for i, line in enumerate(lines, start=1) if "login failed" in line]
    assert failed
    auth = northwind.outcome("SBD-02.05")
    assert (auth.status, auth.basis) == (Status.MET, Basis.VERIFIED)
    assert any(str(failed[0]) in (e.location or "") for e in auth.evidence)


def test_absent_event_types_are_not_evidenced_and_do_not_override_claims(
    northwind: Assessment, kestrel: Assessment
) -> None:
    data = northwind.outcome("SBD-02.08")
    assert data.status is Status.NOT_EVIDENCED and "cannot prove" in data.rationale
    claimed = kestrel.outcome("SBD-02.08")
    assert (claimed.status, claimed.basis) == (Status.MET, Basis.ATTESTED)
    assert "Could not be verified" in claimed.rationale and claimed.contradiction is None


def test_structured_rfc5424_sample_meets_format_and_fields(kestrel: Assessment) -> None:
    for cid in ("SBD-02.04", "SBD-02.10", "SBD-02.05", "SBD-02.06"):
        outcome = kestrel.outcome(cid)
        assert (outcome.status, outcome.basis) == (Status.MET, Basis.VERIFIED), cid
    section = next(s for s in kestrel.sections if s.id == "log-samples")
    assert section.tables[0].rows[0][1] == "25"


def test_unreadable_sample_is_not_evidenced_with_a_problem(
    tmp_path: Path, asset: Callable[[str], Path]
) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(asset("bundles/tiny"), bundle)
    (bundle / "events.log").write_bytes(b"<13>1 2026-01-01T00:00:00Z h a - - ok\n\xff\xfe broken")
    manifest = bundle / "otvet-bundle.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "  - {path: events.log, kind: log_sample}\n", encoding="utf-8"
    )
    result = assess(bundle, profile="strict", now=NOW)
    assert any(p.path == "events.log" and "UTF-8" in p.message for p in result.problems)
    outcome = result.outcome("SBD-02.10")
    assert outcome.status is Status.NOT_EVIDENCED and "could not be read" in outcome.rationale
    assert load_profile("strict").selects("SBD-02.10") and load_catalog().criterion("SBD-02.10")
