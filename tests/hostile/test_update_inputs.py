"""Hostile update evidence: malformed or oversized signatures, keys, lists, metadata and notes.

Every case must end in a failed check or a clear input error naming the file, never a crash,
a hang or an accepted package.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from otvet.audit.note import NoteVerifier, open_note
from otvet.model import FormatError, InputError, VerificationError
from otvet.model.updates import CheckStatus, TrustKind, Verdict
from otvet.updates.trust import read_entry
from tests.updates.conftest import Minisign, trust, verify
from tests.updates.test_cms import Pki
from tests.updates.tufrepo import TufRepo

CASES = {
    "garbage minisign": b"untrusted comment: x\ntrusted comment: y\n!!!!\n",
    "short minisign": b"untrusted comment: x\n"
    + base64.b64encode(b"ED" + b"\x00" * 10)
    + b"\ntrusted comment: y\nAAAA\n",
    "truncated openpgp": b"-----BEGIN PGP SIGNATURE-----\n\niQ\n-----END PGP SIGNATURE-----\n",
    "binary openpgp junk": b"\x89\xff\xff\xff\xff" + b"\x00" * 64,
    "cms junk": b"\x30\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\xff" * 200,
    "sigstore junk": json.dumps(
        {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "x": 1}
    ).encode(),
    "sigstore deep": b'{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "a": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}",
    "dsse bad base64": json.dumps(
        {"payloadType": "application/vnd.in-toto+json", "payload": "%%%", "signatures": [{"sig": "!!"}]}
    ).encode(),
    "dsse wrong type": json.dumps({"payloadType": "text/plain", "payload": "", "signatures": []}).encode(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_signature_files_fail_their_check(
    name: str, tmp_path: Path, package: Path, minisign: Minisign
) -> None:
    public, _ = minisign.generate("vendor")
    pki = Pki(tmp_path)
    material = trust((TrustKind.MINISIGN, public), (TrustKind.X509_ROOT, pki.root_file()))
    evidence = tmp_path / "evidence.sig"
    evidence.write_bytes(CASES[name])
    report = verify(package, material, signatures=[evidence])
    assert report.verdict is Verdict.FAILED
    assert report.checks[0].status is CheckStatus.FAILED and report.checks[0].reason


def test_hash_lists_with_only_weak_or_broken_lines_are_refused(
    tmp_path: Path, package: Path, minisign: Minisign
) -> None:
    public, _ = minisign.generate("vendor")
    sums = tmp_path / "SHA256SUMS"
    md5 = "d41d8cd98f00b204e9800998ecf8427e"
    sums.write_text(f"{md5}  {package.name}\n" + "x" * 100_000 + "\n\x00\x01\n", encoding="utf-8")
    report = verify(package, trust((TrustKind.MINISIGN, public)), sums=[sums])
    assert report.verdict is Verdict.FAILED and "no usable SHA-256" in report.checks[0].reason


def test_a_hash_list_that_is_not_text_fails(tmp_path: Path, package: Path, minisign: Minisign) -> None:
    public, _ = minisign.generate("vendor")
    sums = tmp_path / "SHA256SUMS"
    sums.write_bytes(b"\xff\xfe" * 100)
    assert verify(package, trust((TrustKind.MINISIGN, public)), sums=[sums]).verdict is Verdict.FAILED


@pytest.mark.parametrize(
    "content",
    [
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n",
        b"\x99\xff\xff",
        b"\x00" * 10,
        b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!\n-----END PGP PUBLIC KEY BLOCK-----\n",
    ],
)
def test_malformed_openpgp_keys_are_refused_on_import(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "key.asc"
    path.write_bytes(content)
    with pytest.raises(FormatError):
        read_entry(TrustKind.OPENPGP, path, added_by="a")


def test_oversized_trust_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.pem"
    path.write_bytes(b"-" * (9 * 1024 * 1024))
    with pytest.raises(InputError, match="limit"):
        read_entry(TrustKind.X509_ROOT, path, added_by="a")


def test_tuf_metadata_that_is_not_json_or_is_a_symlink_fails(tmp_path: Path, package: Path) -> None:
    repo = TufRepo()
    repo.add_target(package.name, package.read_bytes())
    repo.release()
    material = trust((TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")))
    usb = repo.publish(tmp_path / "usb")
    (usb / "metadata" / "timestamp.json").write_bytes(b"{not json")
    assert verify(package, material, tuf=usb).verdict is Verdict.FAILED
    outside = tmp_path / "outside.json"
    outside.write_bytes(repo.timestamp.to_bytes())
    (usb / "metadata" / "timestamp.json").unlink()
    (usb / "metadata" / "timestamp.json").symlink_to(outside)
    report = verify(package, material, tuf=usb)
    assert report.verdict is Verdict.FAILED and "no timestamp.json" in report.checks[0].reason


def test_notes_with_absurd_signature_blocks_are_refused() -> None:
    verifier = NoteVerifier.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    line = "\u2014 PeterNeumann " + base64.b64encode(b"\xc7\x4f\x20\xa3" + b"\x00" * 64).decode() + "\n"
    with pytest.raises(VerificationError):
        open_note("text\n\n" + line * 101, [verifier])
    with pytest.raises(VerificationError):
        open_note(b"\xff\xfe\n\n" + line.encode(), [verifier])


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "fw.bin"
    path.write_bytes(b"firmware" * 100)
    return path


@pytest.fixture
def minisign(tmp_path: Path) -> Minisign:
    keys = tmp_path / "keys"
    keys.mkdir()
    return Minisign(keys)
