"""TUF repositories built with ``tuf.api.metadata`` at test time, verified offline from a directory."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from otvet.model.updates import Mechanism, TrustKind, Verdict
from otvet.updates.store import open_engine
from otvet.updates.tuf_repo import StoredTufStates, TufState
from tests.updates.conftest import trust, verify
from tests.updates.tufrepo import TufRepo

PACKAGE = "ka9-5.4.2.bin"


class MemoryStates:
    def __init__(self) -> None:
        self.states: dict[str, TufState] = {}

    def get(self, entry_id: str) -> TufState | None:
        return self.states.get(entry_id)

    def put(self, entry_id: str, state: TufState) -> None:
        self.states[entry_id] = state


@pytest.fixture
def repo(package: Path) -> TufRepo:
    built = TufRepo()
    built.add_target(PACKAGE, package.read_bytes())
    built.release()
    return built


def test_valid_repository(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    report = verify(package, material, tuf=repo.publish(tmp_path / "usb"), states=MemoryStates())
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    check = report.checks[0]
    assert check.mechanism is Mechanism.TUF and check.authenticates
    assert check.details["targets_version"] == "2" and check.details["role"] == "targets"


def test_tampered_target_fails(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    usb = repo.publish(tmp_path / "usb")
    package.write_bytes(package.read_bytes() + b"backdoor")
    report = verify(package, material, tuf=usb)
    assert report.verdict is Verdict.FAILED and "does not match TUF target" in report.checks[0].reason


def test_metadata_signed_by_the_wrong_key_fails(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    usb = repo.publish(tmp_path / "usb")
    attacker = TufRepo()
    attacker.add_target(PACKAGE, package.read_bytes())
    attacker.release()
    forged = usb / "metadata" / "timestamp.json"
    forged.write_bytes(attacker.timestamp.to_bytes())
    report = verify(package, material, tuf=usb)
    assert report.verdict is Verdict.FAILED and "threshold of timestamp keys" in report.checks[0].reason


def test_altered_targets_metadata_fails(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    usb = repo.publish(tmp_path / "usb")
    targets_file = usb / "metadata" / "2.targets.json"
    document = json.loads(targets_file.read_text(encoding="utf-8"))
    document["signed"]["targets"][PACKAGE]["length"] += 1
    targets_file.write_text(json.dumps(document), encoding="utf-8")
    assert verify(package, material, tuf=usb).verdict is Verdict.FAILED


def test_rollback_to_older_validly_signed_metadata_is_detected(
    repo: TufRepo, package: Path, tmp_path: Path
) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    states = MemoryStates()
    old_usb = repo.publish(tmp_path / "old-usb")
    old_copy = tmp_path / "old-copy"
    old_usb.rename(old_copy)
    repo.release()
    assert (
        verify(package, material, tuf=repo.publish(tmp_path / "usb"), states=states).verdict
        is Verdict.AUTHENTIC
    )
    report = verify(package, material, tuf=old_copy, states=states)
    assert report.verdict is Verdict.FAILED and "rollback attack" in report.checks[0].reason


def test_freeze_attack_with_an_expired_timestamp_fails(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    repo.release(timestamp_expires=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))
    usb = repo.publish(tmp_path / "usb")
    assert verify(package, material, tuf=usb).verdict is Verdict.AUTHENTIC
    later = datetime.now(UTC) + timedelta(days=2)
    report = verify(package, material, tuf=usb, at=later)
    assert report.verdict is Verdict.FAILED and "freeze attack" in report.checks[0].reason


def test_root_rotation_is_followed_and_a_forged_rotation_refused(
    repo: TufRepo, package: Path, tmp_path: Path
) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    repo.rotate_root_key()
    repo.release()
    usb = repo.publish(tmp_path / "usb")
    report = verify(package, material, tuf=usb)
    assert report.verdict is Verdict.AUTHENTIC and report.checks[0].details["root_version"] == "2"
    forged = json.loads((usb / "metadata" / "2.root.json").read_text(encoding="utf-8"))
    forged["signatures"] = forged["signatures"][-1:]  # only the new key: not signed by the old root
    (usb / "metadata" / "2.root.json").write_text(json.dumps(forged), encoding="utf-8")
    refused = verify(package, material, tuf=usb)
    assert refused.verdict is Verdict.FAILED and "by the previous root" in refused.checks[0].reason


def test_unknown_target_fails(repo: TufRepo, package: Path, tmp_path: Path) -> None:
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    report = verify(package, material, tuf=repo.publish(tmp_path / "usb"), target="other.bin")
    assert report.verdict is Verdict.FAILED and "no TUF targets role" in report.checks[0].reason


def test_rollback_state_is_kept_in_the_database(
    repo: TufRepo, package: Path, tmp_path: Path, db_url: str
) -> None:
    engine = open_engine(db_url)
    try:
        material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
        old = repo.publish(tmp_path / "old")
        old.rename(tmp_path / "old-copy")
        repo.release()
        assert (
            verify(
                package, material, tuf=repo.publish(tmp_path / "usb"), states=StoredTufStates(engine)
            ).verdict
            is Verdict.AUTHENTIC
        )
        # A new process, the same database: the older repository is still refused.
        report = verify(package, material, tuf=tmp_path / "old-copy", states=StoredTufStates(engine))
        assert report.verdict is Verdict.FAILED and "rollback attack" in report.checks[0].reason
    finally:
        engine.dispose()
