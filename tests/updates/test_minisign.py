"""minisign signatures made by the minisign binary; signify signatures in OpenBSD's format."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from otvet.model.updates import Mechanism, TrustKind, Verdict
from tests.updates.conftest import Minisign, sums_for, trust, verify


def test_prehashed_signature_over_the_package(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[minisign.sign(secret, package)])
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    check = report.checks[0]
    assert check.mechanism is Mechanism.MINISIGN
    assert check.details["mode"].startswith("prehashed")
    assert f"file:{package.name}" in check.details["trusted_comment"]
    assert check.signed_at is not None and not check.signed_at_proven


def test_legacy_signature_is_checked_too(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    report = verify(
        package, trust((TrustKind.MINISIGN, public)), signatures=[minisign.sign(secret, package, legacy=True)]
    )
    assert report.verdict is Verdict.AUTHENTIC
    assert report.checks[0].details["mode"].startswith("legacy")


def test_signed_hash_list_authenticates_the_package(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    report = verify(
        package, trust((TrustKind.MINISIGN, public)), signatures=[minisign.sign(secret, sums)], sums=[sums]
    )
    assert report.verdict is Verdict.AUTHENTIC
    assert report.checks[1].mechanism is Mechanism.HASH and not report.checks[1].authenticates
    assert report.hash_sources[0].authenticated_by == report.checks[0].id


def test_tampered_package_fails(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    signature = minisign.sign(secret, package)
    package.write_bytes(b"evil" + package.read_bytes()[4:])
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "does not match" in report.checks[0].reason


def test_wrong_key_fails(minisign: Minisign, package: Path) -> None:
    trusted, _ = minisign.generate("vendor")
    _, attacker = minisign.generate("attacker")
    report = verify(
        package, trust((TrustKind.MINISIGN, trusted)), signatures=[minisign.sign(attacker, package)]
    )
    assert report.verdict is Verdict.FAILED
    assert "not in the trust store" in report.checks[0].reason


def test_altered_trusted_comment_fails(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    signature = minisign.sign(secret, package, comment="release 5.4.2 for KA-9")
    text = signature.read_text(encoding="utf-8").replace("release 5.4.2", "release 9.9.9")
    signature.write_text(text, encoding="utf-8")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "trusted comment was altered" in report.checks[0].reason


def test_signature_for_another_file_name_fails(minisign: Minisign, package: Path, tmp_path: Path) -> None:
    public, secret = minisign.generate("vendor")
    signature = minisign.sign(secret, package)
    renamed = tmp_path / "ka9-6.0.0.bin"
    renamed.write_bytes(package.read_bytes())
    report = verify(renamed, trust((TrustKind.MINISIGN, public)), signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "names file" in report.checks[0].reason


def test_signature_after_the_verification_time_fails(minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    signature = minisign.sign(secret, package)
    report = verify(
        package,
        trust((TrustKind.MINISIGN, public)),
        signatures=[signature],
        at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert report.verdict is Verdict.FAILED
    assert "after the verification time" in report.checks[0].reason


def _signify_key(directory: Path) -> tuple[Ed25519PrivateKey, bytes, Path]:
    key = Ed25519PrivateKey.generate()
    keynum = os.urandom(8)
    public = directory / "vendor-signify.pub"
    encoded = base64.b64encode(b"Ed" + keynum + key.public_key().public_bytes_raw()).decode()
    public.write_text(f"untrusted comment: vendor signify public key\n{encoded}\n", encoding="utf-8")
    return key, keynum, public


def _signify_sign(key: Ed25519PrivateKey, keynum: bytes, path: Path) -> Path:
    # NOTE: signify(1) signs the message itself: "Ed" || keynum || Ed25519(message).
    signature = path.with_name(path.name + ".sig")
    encoded = base64.b64encode(b"Ed" + keynum + key.sign(path.read_bytes())).decode()
    signature.write_text(f"untrusted comment: verify with vendor-signify.pub\n{encoded}\n", encoding="utf-8")
    return signature


def test_signify_valid_tampered_and_wrong_key(package: Path, tmp_path: Path) -> None:
    key, keynum, public = _signify_key(tmp_path)
    material = trust((TrustKind.SIGNIFY, public))
    signature = _signify_sign(key, keynum, package)
    good = verify(package, material, signatures=[signature])
    assert good.verdict is Verdict.AUTHENTIC and good.checks[0].mechanism is Mechanism.SIGNIFY
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir()
    other_key, other_num, _ = _signify_key(elsewhere)
    wrong = verify(package, material, signatures=[_signify_sign(other_key, other_num, package)])
    assert wrong.verdict is Verdict.FAILED and "not in the trust store" in wrong.checks[0].reason
    signature = _signify_sign(key, keynum, package)
    package.write_bytes(package.read_bytes()[:-1])
    tampered = verify(package, material, signatures=[signature])
    assert tampered.verdict is Verdict.FAILED and "does not match" in tampered.checks[0].reason
