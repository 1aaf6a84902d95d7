"""``otvet audit``: checkpoint, verify (exit 1 on tampering), export, prove, key, show."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from otvet.audit import NoteVerifier, verify_inclusion
from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from otvet.core import audit as audit_service
from otvet.core import updates as update_service
from otvet.model.audit import AuditEvent


@pytest.fixture(autouse=True)
def _fresh_services(otvet_home: Path) -> Iterator[None]:
    yield
    audit_service.close_all()
    update_service.close_all()


def _record(count: int) -> None:
    for i in range(count):
        audit_service.record(
            AuditEvent(action="test.cli", actor="alice", description=f"event {i}", correlation_id="c")
        )


def test_checkpoint_then_verify_then_detect_truncation(
    otvet_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(5)
    saved = tmp_path / "cp.txt"
    assert main(["audit", "checkpoint", "-o", str(saved)]) == ExitCode.OK
    printed = capsys.readouterr().out
    assert (
        "verifier key: otvet/audit/" in printed and saved.read_text(encoding="utf-8").splitlines()[1] == "5"
    )
    assert main(["audit", "verify", "--checkpoint", str(saved)]) == ExitCode.OK
    assert "verifies: 5 records" in capsys.readouterr().out
    audit_service.close_all()
    db = sqlite3.connect(otvet_home / "audit.sqlite3")
    with db:  # an attacker with the database file: drop the guard, cut the tail
        db.execute("DROP TRIGGER audit_event_no_delete")
        db.execute("DELETE FROM audit_event WHERE seq >= 3")
    db.close()
    assert main(["audit", "verify", "--checkpoint", str(saved)]) == ExitCode.FINDINGS
    err = capsys.readouterr().err
    assert "does not verify" in err and "truncated" in err


@pytest.mark.parametrize(
    ("attack", "expected"),
    [
        ("UPDATE audit_event SET body = replace(body, 'event 1', 'event X') WHERE seq = 1", "edited"),
        ("UPDATE audit_event SET seq = 99 WHERE seq = 1; UPDATE audit_event SET seq = 1 WHERE seq = 2; "
         "UPDATE audit_event SET seq = 2 WHERE seq = 99", "reordered"),
    ],
)  # fmt: skip
def test_edits_and_reordering_are_detected_against_a_saved_checkpoint(
    otvet_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str, expected: str
) -> None:
    _record(4)
    saved = tmp_path / "cp.txt"
    assert main(["audit", "checkpoint", "-o", str(saved)]) == ExitCode.OK
    audit_service.close_all()
    db = sqlite3.connect(otvet_home / "audit.sqlite3")
    with db:
        db.execute("DROP TRIGGER audit_event_no_update")
        for statement in attack.split("; "):
            db.execute(statement)
    db.close()
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(saved)]) == ExitCode.FINDINGS
    err = capsys.readouterr().err
    assert expected in err and "saved checkpoint 1" in err


def test_assess_records_itself_in_the_audit_log(examples: Path, tmp_path: Path) -> None:
    code = main(
        [
            "assess",
            str(examples / "kestrel-plc"),
            "-o",
            str(tmp_path),
            "--format",
            "json",
            "--fail-on",
            "never",
        ]
    )
    assert code == ExitCode.OK
    (record,) = [r for r in audit_service.records() if r.action == "assess.run"]
    assert "Kestrel Automation KA-9 Safety PLC 5.4.0" in record.description
    assert record.correlation_id and record.correlation_id.startswith("assess-")
    assert record.details["profile"] == "standard" and len(record.details["artifacts_sha256"]) == 64
    assert main(["audit", "verify"]) == ExitCode.OK


def test_export_both_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _record(4)
    target = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--format", "ocsf", "-o", str(target)]) == ExitCode.OK
    events = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [e["metadata"]["sequence"] for e in events] == [0, 1, 2, 3]
    assert main(["audit", "export", "--format", "syslog", "--since", "2"]) == ExitCode.OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("<109>1 ") for line in lines)
    assert main(["audit", "export", "--format", "cef"]) == ExitCode.INPUT_ERROR


def test_prove_and_key(capsys: pytest.CaptureFixture[str]) -> None:
    _record(6)
    assert main(["audit", "key"]) == ExitCode.OK
    NoteVerifier.parse(capsys.readouterr().out.strip())
    assert main(["audit", "prove", "--seq", "4"]) == ExitCode.OK
    proof = json.loads(capsys.readouterr().out)
    raw = [base64.b64decode(p) for p in proof["proof"]]
    verify_inclusion(
        4, proof["tree_size"], base64.b64decode(proof["leaf_hash"]), raw, base64.b64decode(proof["root_hash"])
    )
    assert main(["audit", "prove", "--from-size", "2"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["size2"] == 6
    assert main(["audit", "prove"]) == ExitCode.INPUT_ERROR


def test_show_lists_latest_records(capsys: pytest.CaptureFixture[str]) -> None:
    _record(3)
    assert main(["audit", "show", "--last", "2"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "event 2" in out and "event 1" in out and "event 0" not in out
