"""OpenPGP signatures made by gpg at test time, checked by gpgv with a keyring from the trust store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from otvet.model.updates import CheckStatus, Mechanism, TrustKind, Verdict
from otvet.updates.openpgp import fingerprints
from tests.updates.conftest import GnuPG, sums_for, trust, verify


def test_fingerprints_are_read_from_armoured_and_binary_keys(gnupg: GnuPG, tmp_path: Path) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    armoured = gnupg.export(fpr, tmp_path / "k.asc")
    binary = gnupg.export(fpr, tmp_path / "k.gpg", armor=False)
    assert fingerprints(armoured.read_bytes(), "k.asc") == [fpr]
    assert fingerprints(binary.read_bytes(), "k.gpg") == [fpr]


def test_detached_signature_over_the_package(gnupg: GnuPG, package: Path, tmp_path: Path) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")))
    for armor in (True, False):
        report = verify(package, material, signatures=[gnupg.sign(package, fpr, armor=armor)])
        assert report.verdict is Verdict.AUTHENTIC, report.summary
        check = report.checks[0]
        assert check.mechanism is Mechanism.OPENPGP and check.authenticates
        assert check.keys[0].fingerprint == fpr and check.signed_at is not None


def test_tampered_package_fails(gnupg: GnuPG, package: Path, tmp_path: Path) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")))
    signature = gnupg.sign(package, fpr)
    package.write_bytes(package.read_bytes() + b"\x00")
    report = verify(package, material, signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "BAD OpenPGP signature" in report.checks[0].reason


def test_signature_by_a_key_outside_the_trust_store_fails(
    gnupg: GnuPG, package: Path, tmp_path: Path
) -> None:
    trusted = gnupg.generate("Kestrel Release <release@kestrel.example>")
    attacker = gnupg.generate("Mallory <mallory@evil.example>")
    material = trust((TrustKind.OPENPGP, gnupg.export(trusted, tmp_path / "vendor.asc")))
    report = verify(package, material, signatures=[gnupg.sign(package, attacker)])
    assert report.verdict is Verdict.FAILED
    assert "not in the trust store" in report.checks[0].reason


def test_expired_key_fails_unless_the_verification_time_precedes_expiry(
    gnupg: GnuPG, package: Path, tmp_path: Path
) -> None:
    fpr = gnupg.generate("Old Release <old@kestrel.example>", expire="2021-01-01", faked="20200101T000000")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "old.asc")))
    signature = gnupg.sign(package, fpr, faked="20200601T000000")
    report = verify(package, material, signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "expired" in report.checks[0].reason and "no policy accepts" in report.checks[0].reason
    then = verify(package, material, signatures=[signature], at=datetime(2020, 7, 1, tzinfo=UTC))
    assert then.verdict is Verdict.AUTHENTIC, then.summary


def test_signature_made_after_the_verification_time_fails(
    gnupg: GnuPG, package: Path, tmp_path: Path
) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>", expire="0", faked="20200101T000000")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")))
    report = verify(
        package, material, signatures=[gnupg.sign(package, fpr)], at=datetime(2021, 1, 1, tzinfo=UTC)
    )
    assert report.verdict is Verdict.FAILED
    assert "after the verification time" in report.checks[0].reason


def test_revoked_key_fails(gnupg: GnuPG, package: Path, tmp_path: Path) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    signature = gnupg.sign(package, fpr)
    gnupg.revoke(fpr)
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "revoked.asc")))
    report = verify(package, material, signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "revoked" in report.checks[0].reason


def test_clear_signed_hash_list_authenticates_only_its_signed_text(
    gnupg: GnuPG, package: Path, tmp_path: Path
) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")))
    signed = gnupg.clearsign(sums_for(package), fpr)
    report = verify(package, material, sums=[signed])
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    assert [c.mechanism for c in report.checks] == [Mechanism.OPENPGP, Mechanism.HASH]
    assert report.hash_sources[0].authenticated_by == report.checks[0].id
    # Text outside the signed block is not authenticated: an attacker's line there must not count.
    other = tmp_path / "other.bin"
    other.write_bytes(b"malware")
    forged_line = sums_for(other, name="forged").read_text(encoding="utf-8")
    forged = tmp_path / "SHA256SUMS-forged.asc"
    forged.write_text(forged_line + signed.read_text(encoding="utf-8"), encoding="utf-8")
    attack = verify(other, material, sums=[forged])
    assert attack.verdict is Verdict.FAILED
    assert any(c.status is CheckStatus.FAILED and "does not list" in c.reason for c in attack.checks)


def test_detached_signature_over_the_hash_list(gnupg: GnuPG, package: Path, tmp_path: Path) -> None:
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    material = trust((TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")))
    sums = sums_for(package)
    report = verify(package, material, signatures=[gnupg.sign(sums, fpr)], sums=[sums])
    assert report.verdict is Verdict.AUTHENTIC
    assert report.checks[0].subject == str(sums)
