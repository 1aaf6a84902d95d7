"""The security.txt analyzer's verdicts on OpenPGP-signed files (ADR 0075).

Real gpg keys and signatures made at test time; the bundle goes through real intake. A file
whose signature fails against the trusted keys must never be "met": its Contact may be forged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.analyzers import AnalysisContext
from otvet.analyzers.security_txt import SecurityTxtAnalyzer
from otvet.catalog import load_catalog, load_profile
from otvet.intake import open_bundle
from otvet.model import AnalyzerOutput, CriterionResult, Severity, Status
from tests.formats.gpg_signer import Signer

NOW = datetime(2026, 11, 21, tzinfo=UTC)
CONTENT = """Contact: mailto:psirt@example.org
Expires: 2027-06-30T00:00:00Z
Policy: https://example.org/cvd
Canonical: https://example.org/.well-known/security.txt
"""
MANIFEST = """otvet_bundle: 1
product:
  vendor: Example Automation
  name: EX-1 Controller
  version: 1.0.0
artifacts:
  - path: security.txt
    kind: security_txt
"""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Signer, Path, Path]]:
    """The vendor's signer, its exported key and an unrelated key."""
    vendor, other = Signer("psirt@example.org"), Signer("someone@example.net")
    work = tmp_path_factory.mktemp("keys")
    try:
        yield vendor, vendor.export(work / "vendor.asc"), other.export(work / "other.asc")
    finally:
        vendor.close()
        other.close()


def _bundle(tmp_path: Path, security_txt: str) -> Path:
    root = tmp_path / "bundle"
    root.mkdir(parents=True)
    (root / "otvet-bundle.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "security.txt").write_text(security_txt, encoding="utf-8")
    return root


def _signed(tmp_path: Path, signer: Signer, content: str = CONTENT) -> str:
    plain = tmp_path / "plain.txt"
    plain.write_text(content, encoding="utf-8")
    return signer.clearsign(plain, tmp_path / "signed.txt").read_text(encoding="utf-8")


def _analyze(bundle_dir: Path, *keys: Path) -> AnalyzerOutput:
    catalog = load_catalog()
    options = {"trusted_keys": ",".join(str(k) for k in keys)} if keys else {}
    ctx = AnalysisContext(catalog=catalog, profile=load_profile("strict", catalog), now=NOW, options=options)
    with open_bundle(bundle_dir, catalog) as bundle:
        return SecurityTxtAnalyzer().analyze(bundle, ctx)


def _verdict(output: AnalyzerOutput) -> CriterionResult:
    return next(r for r in output.results if r.criterion_id == "SBD-11.08")


def test_good_signature_by_trusted_key_is_met(tmp_path: Path, keys: tuple[Signer, Path, Path]) -> None:
    vendor, vendor_key, _ = keys
    output = _analyze(_bundle(tmp_path, _signed(tmp_path, vendor)), vendor_key)
    verdict = _verdict(output)
    assert verdict.status is Status.MET
    assert "OpenPGP signature: valid" in verdict.rationale
    assert not [p for p in output.problems if "signature" in p.message or "authenticity" in p.message]


def test_tampered_signed_file_is_not_met_with_an_error(
    tmp_path: Path, keys: tuple[Signer, Path, Path]
) -> None:
    vendor, vendor_key, _ = keys
    forged = _signed(tmp_path, vendor).replace("psirt@example.org", "attacker@example.net")
    output = _analyze(_bundle(tmp_path, forged), vendor_key)
    verdict = _verdict(output)
    assert verdict.status is Status.NOT_MET
    assert "attacker@example.net" in verdict.rationale and "may have been altered" in verdict.rationale
    assert "OpenPGP signature: bad" in verdict.rationale
    errors = [p for p in output.problems if p.severity is Severity.ERROR]
    assert any(p.path == "security.txt" and "signature check failed" in p.message for p in errors)


def test_corrupt_signature_block_is_not_met(tmp_path: Path, keys: tuple[Signer, Path, Path]) -> None:
    vendor, vendor_key, _ = keys
    text = _signed(tmp_path, vendor)
    head, _, tail = text.partition("-----BEGIN PGP SIGNATURE-----")
    broken = head + "-----BEGIN PGP SIGNATURE-----\n\nnot-base64!!\n-----END PGP SIGNATURE-----\n"
    assert tail  # the signature block was there
    output = _analyze(_bundle(tmp_path, broken), vendor_key)
    assert _verdict(output).status is Status.NOT_MET
    assert any(
        p.severity is Severity.ERROR and "signature check failed" in p.message for p in output.problems
    )


def test_signed_without_trusted_key_is_judged_on_content_and_labelled(
    tmp_path: Path, keys: tuple[Signer, Path, Path]
) -> None:
    vendor, _, _ = keys
    # Even a tampered file cannot be told apart without a key: the label must say so.
    forged = _signed(tmp_path, vendor).replace("psirt@example.org", "attacker@example.net")
    verdict = _verdict(_analyze(_bundle(tmp_path, forged)))
    assert verdict.status is Status.MET
    assert "signature NOT verified: no trusted key given" in verdict.rationale


def test_signed_by_another_key_is_at_most_partial(tmp_path: Path, keys: tuple[Signer, Path, Path]) -> None:
    vendor, _, other_key = keys
    output = _analyze(_bundle(tmp_path, _signed(tmp_path, vendor)), other_key)
    verdict = _verdict(output)
    assert verdict.status is Status.PARTIALLY_MET
    assert "authenticity is not established" in verdict.rationale
    assert vendor.fingerprint[-16:] in verdict.rationale
    assert any(p.severity is Severity.WARNING and "not established" in p.message for p in output.problems)


def test_unsigned_file_with_trusted_keys_is_at_most_partial(
    tmp_path: Path, keys: tuple[Signer, Path, Path]
) -> None:
    _, vendor_key, _ = keys
    output = _analyze(_bundle(tmp_path, CONTENT), vendor_key)
    assert _verdict(output).status is Status.PARTIALLY_MET
    assert any("not OpenPGP-signed" in p.message for p in output.problems)
    assert _verdict(_analyze(_bundle(tmp_path / "again", CONTENT))).status is Status.MET


def test_unreadable_trusted_key_is_reported_and_fails_closed(
    tmp_path: Path, keys: tuple[Signer, Path, Path]
) -> None:
    vendor, _, _ = keys
    missing = tmp_path / "no-such-key.asc"
    output = _analyze(_bundle(tmp_path, _signed(tmp_path, vendor)), missing)
    assert _verdict(output).status is Status.PARTIALLY_MET
    assert any(
        "trusted keys could not be read" in p.message and "no-such-key.asc" in p.message
        for p in output.problems
    )


def test_a_document_that_cannot_be_read_is_named_when_no_policy_is_found(tmp_path: Path) -> None:
    root = _bundle(tmp_path, CONTENT.replace("Policy: https://example.org/cvd\n", ""))
    (root / "otvet-bundle.yaml").write_text(
        MANIFEST + "  - path: docs/psirt.md\n    kind: document\n", encoding="utf-8"
    )
    (root / "docs").mkdir()
    (root / "docs" / "psirt.md").write_bytes(b"\xff\xfe\x00\xd8 not text \x81\x82\x83" * 50)
    policy = next(r for r in _analyze(root).results if r.criterion_id == "SBD-11.07")
    assert policy.status is Status.NOT_EVIDENCED
    assert "1 document(s) could not be read to look for it: docs/psirt.md" in policy.rationale
