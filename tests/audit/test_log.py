"""The audit log on SQLite and PostgreSQL: append, refuse rewrites, detect tampering, survive SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from otvet.audit import AuditLog, MerkleTree, canonical_json, leaf_hash, verify_consistency, verify_inclusion
from otvet.audit.note import open_note, parse_checkpoint
from otvet.model import VerificationError
from otvet.model.audit import AuditEvent, Outcome


def _event(i: int, **extra: object) -> AuditEvent:
    return AuditEvent(
        action="update.approve",
        actor=f"user{i % 3}",
        description=f"event {i}",
        account="operator" if i % 2 else None,
        source_address="192.0.2.10" if i % 2 else None,
        source_port=50000 + i if i % 2 else None,
        correlation_id=f"UPD-{i // 3}",
        outcome=Outcome.FAILURE if i % 5 == 4 else Outcome.SUCCESS,
        details={"i": i, **extra},
    )


@pytest.fixture
def log(db_url: str, otvet_home: Path) -> AuditLog:
    opened = AuditLog.open(db_url)
    yield opened  # type: ignore[misc]
    opened.close()


def _filled(log: AuditLog, count: int) -> None:
    for i in range(count):
        log.append(_event(i))


def _tamper(engine: Engine, *statements: str | tuple[str, dict[str, object]]) -> None:
    """What an administrator with full database rights can do: switch the triggers off, rewrite."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in ("audit_event", "audit_checkpoint"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for table in ("audit_event", "audit_checkpoint"):
                for op in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))
        for statement in statements:
            sql, params = (statement, {}) if isinstance(statement, str) else statement
            conn.execute(text(sql), params)


def test_records_carry_the_guides_fields_in_order_and_verify(log: AuditLog) -> None:
    _filled(log, 7)
    records = list(log.records())
    assert [r.seq for r in records] == list(range(7))
    third = records[3]
    assert (third.actor, third.account, third.source_address, third.source_port, third.correlation_id) == (
        "user0",
        "operator",
        "192.0.2.10",
        50003,
        "UPD-1",
    )
    assert records[4].outcome is Outcome.FAILURE
    assert all(r.time.tzinfo is not None and r.host and r.os_user for r in records)
    checkpoint = log.checkpoint()
    result = log.verify([checkpoint.note])
    assert result.ok and result.size == 7
    assert (
        result.root_hash
        == checkpoint.root_hash
        == MerkleTree([bytes.fromhex(r.leaf_hash) for r in records]).root().hex()
    )


def test_stored_bodies_are_canonical_json_hashed_as_rfc6962_leaves(log: AuditLog) -> None:
    _filled(log, 3)
    with log.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, leaf_hash, body FROM audit_event ORDER BY seq")).all()
    for seq, leaf, body in rows:
        assert canonical_json(json.loads(body)) == body.encode()
        assert leaf_hash(body.encode()).hex() == leaf
        assert json.loads(body)["seq"] == seq


@pytest.mark.parametrize("table", ["audit_event", "audit_checkpoint", "audit_meta"])
def test_the_database_refuses_update_and_delete(log: AuditLog, table: str) -> None:
    _filled(log, 2)
    log.checkpoint()
    column = {"audit_event": "body", "audit_checkpoint": "note", "audit_meta": "value"}[table]
    for statement in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):  # noqa: S608  # fixed names
        with pytest.raises(DBAPIError, match="append-only"), log.engine.begin() as conn:
            conn.execute(text(statement))
    if log.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), log.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    assert log.verify().ok


def _rewrite(log: AuditLog, seq: int, description: str) -> tuple[str, dict[str, object]]:
    """A careful forger: canonical body, matching leaf hash, same sequence number."""
    with log.engine.connect() as conn:
        body = json.loads(
            conn.execute(text("SELECT body FROM audit_event WHERE seq = :s"), {"s": seq}).scalar_one()
        )
    body["description"] = description
    raw = canonical_json(body).decode()
    return (
        "UPDATE audit_event SET body = :body, leaf_hash = :leaf WHERE seq = :seq",
        {"body": raw, "leaf": leaf_hash(raw.encode()).hex(), "seq": seq},
    )


@pytest.mark.parametrize("attack", ["truncate", "edit", "reorder", "insert"])
def test_tampering_is_detected_against_an_earlier_checkpoint(
    log: AuditLog, tmp_path: Path, attack: str
) -> None:
    _filled(log, 10)
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(log.checkpoint().note, encoding="utf-8")
    _filled(log, 2)  # the log grows after the checkpoint was saved
    if attack == "truncate":
        # Cover the tracks too: drop the stored checkpoints and this machine's local copy.
        _tamper(log.engine, "DELETE FROM audit_event WHERE seq >= 7", "DELETE FROM audit_checkpoint")
        assert log.anchor is not None
        log.anchor.unlink()
        expected = "truncated"
    elif attack == "edit":
        _tamper(log.engine, _rewrite(log, 4, "nothing happened"))
        expected = "no longer hash to the signed root"
    elif attack == "reorder":
        with log.engine.connect() as conn:
            one, two = conn.execute(
                text("SELECT body, leaf_hash FROM audit_event WHERE seq IN (2, 3) ORDER BY seq")
            ).all()
        _tamper(
            log.engine,
            "DELETE FROM audit_event WHERE seq IN (2, 3)",
            ("INSERT INTO audit_event (seq, leaf_hash, body) VALUES (2, :l, :b)", {"l": two[1], "b": two[0]}),
            ("INSERT INTO audit_event (seq, leaf_hash, body) VALUES (3, :l, :b)", {"l": one[1], "b": one[0]}),
        )
        expected = "reordered"
    else:
        _tamper(log.engine, "UPDATE audit_event SET seq = seq + 100 WHERE seq >= 5")
        expected = "missing"
    result = log.verify([saved.read_text(encoding="utf-8")])
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems
    assert any("saved checkpoint" in p for p in result.problems) or attack in ("reorder", "insert")
    if attack != "truncate":  # with every copy inside its reach deleted, only the saved file knows
        with pytest.raises(VerificationError):
            log.checkpoint()  # never sign over a history that no longer matches


def test_the_local_checkpoint_file_catches_a_database_cut_with_its_checkpoints(log: AuditLog) -> None:
    _filled(log, 6)
    log.checkpoint()
    _tamper(log.engine, "DELETE FROM audit_event WHERE seq >= 3", "DELETE FROM audit_checkpoint")
    result = log.verify()
    assert any("local checkpoint" in p and "truncated" in p for p in result.problems), result.problems
    with pytest.raises(VerificationError, match="checkpoint kept in"):
        log.checkpoint()


def test_proofs_from_the_log_verify_against_its_checkpoints(log: AuditLog) -> None:
    _filled(log, 5)
    old = parse_checkpoint(open_note(log.checkpoint().note, log.verifiers()).text)
    _filled(log, 8)
    new = parse_checkpoint(open_note(log.checkpoint().note, log.verifiers()).text)
    tree = log.tree()
    verify_consistency(
        old.size, new.size, tree.consistency_proof(old.size, new.size), old.root_hash, new.root_hash
    )
    for seq in (0, 4, 12):
        verify_inclusion(
            seq, new.size, tree.levels[0][seq], tree.inclusion_proof(seq, new.size), new.root_hash
        )


WRITER = """
import sys
from otvet.audit import AuditLog
from otvet.model.audit import AuditEvent
log = AuditLog.open(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    log.append(AuditEvent(action="test.append", actor="writer", description=f"event {i}", details={"i": i, "pad": "x" * 512}))
    i += 1
"""


@pytest.mark.slow
def test_a_writer_killed_mid_append_leaves_a_log_that_verifies(
    db_url: str, otvet_home: Path, tmp_path: Path
) -> None:
    reader = AuditLog.open(db_url)
    try:
        script = tmp_path / "writer.py"
        script.write_text(WRITER, encoding="utf-8")
        for round_ in range(3):
            before = reader.size()
            process = subprocess.Popen(  # our own script
                [sys.executable, str(script), db_url], stdout=subprocess.PIPE, env=dict(os.environ)
            )
            try:
                assert process.stdout is not None
                assert process.stdout.readline().strip() == b"ready"
                deadline = time.monotonic() + 60
                while reader.size() < before + 50 + 37 * round_ and time.monotonic() < deadline:
                    time.sleep(0.01)
            finally:
                process.send_signal(signal.SIGKILL)  # no chance to clean up: the hardest stop there is
                process.wait(timeout=30)
                if process.stdout is not None:
                    process.stdout.close()
            assert process.returncode == -signal.SIGKILL
            result = reader.verify()
            assert result.ok, result.problems
            assert result.size > before
            reader.append(_event(result.size))  # the log goes on where the killed writer stopped
            checkpoint = reader.checkpoint()
            assert reader.verify([checkpoint.note]).ok
    finally:
        reader.close()


def test_two_writers_never_share_a_sequence_number(db_url: str, otvet_home: Path) -> None:
    first, second = AuditLog.open(db_url), AuditLog.open(db_url)
    try:
        for i in range(20):
            (first if i % 2 else second).append(_event(i))
        seqs = [r.seq for r in first.records()]
        assert seqs == list(range(20))
        assert first.origin == second.origin
    finally:
        first.close()
        second.close()


def test_find_returns_only_intact_records_of_the_action_and_detail(log: AuditLog) -> None:
    digest = "ab" * 32
    log.append(
        AuditEvent(action="update.verify", actor="alice", description="x", details={"report_sha256": digest})
    )
    log.append(
        AuditEvent(action="probe.run", actor="bob", description="y", details={"result_sha256": digest})
    )
    log.append(
        AuditEvent(
            action="update.verify", actor="carol", description=f"mentions {digest}", details={"other": digest}
        )
    )
    log.append(
        AuditEvent(
            action="update.verify", actor="dave", description="z", details={"report_sha256": "cd" * 32}
        )
    )
    found = list(log.find("update.verify", "report_sha256", digest))
    assert [(r.seq, r.actor) for r in found] == [(0, "alice")]
    assert [r.actor for r in log.find("probe.run", "result_sha256", digest)] == ["bob"]
    assert not list(log.find("update.verify", "report_sha256", "ef" * 32))
    assert [r.actor for r in log.of_action("update.verify")] == ["alice", "carol", "dave"]
    # A row someone rewrote in place (triggers off) is not believed: its body no longer has its leaf hash.
    with log.engine.connect() as conn:
        body = json.loads(conn.execute(text("SELECT body FROM audit_event WHERE seq = 3")).scalar_one())
    body["details"]["report_sha256"] = "ef" * 32
    _tamper(
        log.engine,
        ("UPDATE audit_event SET body = :b WHERE seq = 3", {"b": canonical_json(body).decode()}),
    )
    assert not list(log.find("update.verify", "report_sha256", "ef" * 32))
    assert [r.actor for r in log.of_action("update.verify")] == ["alice", "carol"]
