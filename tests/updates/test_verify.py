"""The verdict rules of ``verify_package``: fail closed, authenticity only through a trusted signature."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from otvet.formats.sniff import detect
from otvet.model import ArtifactKind
from otvet.model.updates import CheckStatus, Mechanism, TrustKind, Verdict
from otvet.updates.report import read_report, write_json
from tests.updates.conftest import Minisign, sums_for, trust, verify


def test_an_unsigned_package_fails(package: Path, minisign: Minisign) -> None:
    public, _ = minisign.generate("vendor")
    report = verify(package, trust((TrustKind.MINISIGN, public)))
    assert report.verdict is Verdict.FAILED and not report.checks
    assert "unsigned package is never accepted" in report.summary


def test_an_unsigned_hash_list_proves_integrity_only(package: Path, minisign: Minisign) -> None:
    public, _ = minisign.generate("vendor")
    report = verify(package, trust((TrustKind.MINISIGN, public)), sums=[sums_for(package)])
    assert report.verdict is Verdict.INTEGRITY_ONLY
    assert report.checks[0].status is CheckStatus.PASSED and not report.checks[0].authenticates
    assert report.hash_sources[0].authenticated_by is None


def test_a_published_digest_records_where_it_came_from(package: Path, minisign: Minisign) -> None:
    public, _ = minisign.generate("vendor")
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    source = "https://kestrel.example/downloads page, read 2026-11-20 by j.doe"
    report = verify(package, trust((TrustKind.MINISIGN, public)), digests=[(f"sha256:{digest}", source)])
    assert report.verdict is Verdict.INTEGRITY_ONLY
    assert report.hash_sources[0].source == source
    wrong = verify(package, trust((TrustKind.MINISIGN, public)), digests=[("00" * 32, source)])
    assert wrong.verdict is Verdict.FAILED


def test_a_hash_list_that_names_the_package_with_another_digest_fails(
    package: Path, minisign: Minisign
) -> None:
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    signature = minisign.sign(secret, sums)
    package.write_bytes(package.read_bytes() + b"x")  # the package changed after the vendor listed it
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[signature], sums=[sums])
    assert report.verdict is Verdict.FAILED
    assert any("altered or is another version" in c.reason for c in report.checks)


def test_one_bad_signature_fails_the_package_even_next_to_a_good_one(
    package: Path, minisign: Minisign
) -> None:
    public, secret = minisign.generate("vendor")
    _, attacker = minisign.generate("attacker")
    good = minisign.sign(secret, package)
    bad_copy = package.with_name("copy.bin")
    bad_copy.write_bytes(package.read_bytes())
    bad = minisign.sign(attacker, bad_copy)
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[good, bad])
    assert report.verdict is Verdict.FAILED
    assert [c.status for c in report.checks] == [CheckStatus.PASSED, CheckStatus.FAILED]


def test_unrecognised_evidence_is_a_failed_check(package: Path, minisign: Minisign, tmp_path: Path) -> None:
    public, _ = minisign.generate("vendor")
    junk = tmp_path / "signature.txt"
    junk.write_text("this is a signature, trust me\n", encoding="utf-8")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[junk])
    assert report.verdict is Verdict.FAILED and report.checks[0].mechanism is Mechanism.UNRECOGNISED


def test_report_round_trips_and_is_recognised_by_the_bundle_intake(
    package: Path, minisign: Minisign, tmp_path: Path
) -> None:
    public, secret = minisign.generate("vendor")
    material = trust((TrustKind.MINISIGN, public))
    report = verify(package, material, signatures=[minisign.sign(secret, package)])
    target = write_json(report, tmp_path / "report.json")
    assert next(iter(json.loads(target.read_text(encoding="utf-8")))) == "otvet_verification"
    assert read_report(target) == report
    assert detect(target, target.name).kind is ArtifactKind.VERIFICATION_REPORT
    assert report.trust_store.digest == material.digest and report.trust_store.entries == 1


def test_trust_store_digest_changes_with_its_entries(minisign: Minisign) -> None:
    first, _ = minisign.generate("one")
    second, _ = minisign.generate("two")
    one = trust((TrustKind.MINISIGN, first))
    both = trust((TrustKind.MINISIGN, first), (TrustKind.MINISIGN, second))
    assert one.digest != both.digest and one.digest.startswith("sha256:")
