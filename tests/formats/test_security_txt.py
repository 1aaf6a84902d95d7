"""RFC 9116 security.txt: valid, expired, missing Contact, signed (trusted and untrusted), unsigned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.formats.openpgp import SignatureStatus, keyring_from
from otvet.formats.security_txt import parse_security_txt
from tests.formats.gpg_signer import Signer

NOW = datetime(2026, 11, 21, tzinfo=UTC)
VALID = """Contact: mailto:psirt@example.org
Expires: 2027-06-30T00:00:00Z
Policy: https://example.org/cvd
Canonical: https://example.org/.well-known/security.txt
CSAF: https://example.org/.well-known/csaf/provider-metadata.json
"""


def test_valid() -> None:
    txt = parse_security_txt(VALID, now=NOW)
    assert txt.errors == [] and not txt.signed
    assert txt.values("CSAF") == ["https://example.org/.well-known/csaf/provider-metadata.json"]


def test_expired() -> None:
    txt = parse_security_txt(VALID.replace("2027-06-30", "2025-03-31"), now=NOW)
    assert [p.message for p in txt.errors] == ["expired on 2025-03-31"]


def test_missing_contact() -> None:
    txt = parse_security_txt(VALID.replace("Contact: mailto:psirt@example.org\n", ""), now=NOW)
    assert any("no Contact" in p.message for p in txt.errors)


def test_more_than_a_year_ahead_is_a_warning() -> None:
    txt = parse_security_txt(VALID.replace("2027-06-30", "2029-01-01"), now=NOW)
    assert txt.errors == [] and any("more than a year" in p.message for p in txt.problems)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """A cleartext-signed security.txt, its signer's key, and an unrelated key (made with gpg)."""
    work = tmp_path_factory.mktemp("gpg")
    signer, other = Signer("signer@example.org"), Signer("other@example.org")
    try:
        plain = work / "security.txt"
        plain.write_text(VALID, encoding="utf-8")
        signed = signer.clearsign(plain, work / "signed.txt")
        yield signed, signer.export(work / "signer.asc"), other.export(work / "other.asc")
    finally:
        signer.close()
        other.close()


def test_signed_with_trusted_key(signed: tuple[Path, Path, Path]) -> None:
    path, key, _ = signed
    txt = parse_security_txt(
        path.read_text(encoding="utf-8"), now=NOW, keyring=keyring_from([key]), source=path
    )
    assert txt.signed and txt.signature is not None
    assert txt.signature.status is SignatureStatus.VALID
    assert txt.values("Contact") == ["mailto:psirt@example.org"] and txt.errors == []


def test_signed_without_trusted_key(signed: tuple[Path, Path, Path]) -> None:
    path, _, other = signed
    untrusted = parse_security_txt(
        path.read_text(encoding="utf-8"), now=NOW, keyring=keyring_from([other]), source=path
    )
    assert untrusted.signature is not None and untrusted.signature.status is SignatureStatus.NO_TRUSTED_KEY
    none = parse_security_txt(path.read_text(encoding="utf-8"), now=NOW)
    assert (
        none.signature is not None
        and none.signature.detail == "signed, signature not verified: no trusted key"
    )


def test_tampered_signed_file_is_bad(signed: tuple[Path, Path, Path], tmp_path: Path) -> None:
    path, key, _ = signed
    tampered = tmp_path / "security.txt"
    tampered.write_text(path.read_text(encoding="utf-8").replace("psirt@", "attacker@"), encoding="utf-8")
    txt = parse_security_txt(
        tampered.read_text(encoding="utf-8"), now=NOW, keyring=keyring_from([key]), source=tampered
    )
    assert txt.signature is not None and txt.signature.status is SignatureStatus.BAD
