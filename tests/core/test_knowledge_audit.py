"""``otvet db import`` leaves a trace in the audit log: source, file digest, record counts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from otvet.core import audit as audit_service
from otvet.model.audit import Outcome


@pytest.fixture(autouse=True)
def _fresh_audit(otvet_home: Path) -> Iterator[None]:
    yield
    audit_service.close_all()


def test_imports_are_recorded_with_source_digest_and_counts(asset: object, tmp_path: Path) -> None:
    scores = asset("epss/epss_scores-2026-06-30.csv")  # type: ignore[operator]
    rows = [line.split(",") for line in scores.read_text(encoding="utf-8").splitlines()[2:] if line.strip()]
    valid = [r for r in rows if r[0].startswith("CVE-") and 0 <= float(r[1]) <= 1]
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert main(["db", "import", "epss", str(scores), "--db", db]) == ExitCode.OK
    assert main(["db", "import", "epss", str(scores), "--db", db]) == ExitCode.OK  # the same file again
    imports = [r for r in audit_service.records() if r.action == "db.import"]
    assert len(imports) == 2
    first, again = imports
    assert first.outcome is Outcome.SUCCESS
    assert first.details["source"] == "epss"
    assert first.details["sha256"] == hashlib.sha256(scores.read_bytes()).hexdigest()
    # The asset holds deliberately invalid rows: each is a problem, not a record.
    assert first.details["records"] == first.details["added"] == len(valid)
    assert first.details["problems"] == len(rows) - len(valid) > 0
    assert first.details["already_imported"] is False and "kb.sqlite3" in first.details["store"]
    assert again.details["already_imported"] is True and "nothing changed" in again.description
    assert audit_service.verify_log().ok  # sealed: the records are covered by a signed checkpoint


def test_a_refused_import_is_recorded_as_a_failure(tmp_path: Path) -> None:
    broken = tmp_path / "scores.csv"
    broken.write_bytes(b"\x00\x01 not a csv at all")
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert main(["db", "import", "epss", str(broken), "--db", db]) == ExitCode.INPUT_ERROR
    (record,) = [r for r in audit_service.records() if r.action == "db.import"]
    assert record.outcome is Outcome.FAILURE
    assert "not an EPSS CSV" in record.details["error"] and record.details["path"] == str(broken)
