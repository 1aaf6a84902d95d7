"""A real Sigstore bundle (from sigstore-python's test assets) verified offline against a pinned root.

What is and is not tested: the bundle is a production Sigstore signature (Fulcio certificate,
Rekor inclusion proof with checkpoint, RFC 3161 timestamp); we verify it with the trusted root
shipped in the sigstore wheel, never fetching anything. We cannot make new Sigstore bundles
offline (that needs Fulcio and Rekor), so tampering is tested by changing the artifact, the
identity policy and the bundle itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from otvet.model.updates import Mechanism, TrustKind, Verdict
from otvet.updates.interface import TrustMaterial
from tests.updates.conftest import trust, verify

IDENTITY = "aryadeeptade@gmail.com"
ISSUER = "https://github.com/login/oauth"


def _material(
    sigstore_asset: Callable[[str], Path], identity: str = IDENTITY, issuer: str = ISSUER
) -> TrustMaterial:
    return trust(
        (TrustKind.SIGSTORE_ROOT, sigstore_asset("trusted_root.json")), identity=identity, issuer=issuer
    )


def test_real_bundle_verifies_offline_against_the_pinned_root(sigstore_asset: Callable[[str], Path]) -> None:
    report = verify(
        sigstore_asset("new_bundle.txt"),
        _material(sigstore_asset),
        signatures=[sigstore_asset("new_bundle.txt.sigstore.json")],
    )
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    check = report.checks[0]
    assert check.mechanism is Mechanism.SIGSTORE
    assert check.signed_at_proven and check.signed_at is not None
    assert check.details["identity"] == IDENTITY


def test_tampered_artifact_fails(sigstore_asset: Callable[[str], Path], tmp_path: Path) -> None:
    artifact = tmp_path / "new_bundle.txt"
    artifact.write_bytes(sigstore_asset("new_bundle.txt").read_bytes().replace(b"regression", b"regressions"))
    report = verify(
        artifact, _material(sigstore_asset), signatures=[sigstore_asset("new_bundle.txt.sigstore.json")]
    )
    assert report.verdict is Verdict.FAILED and "digest mismatch" in report.checks[0].reason


def test_another_identity_is_refused(sigstore_asset: Callable[[str], Path]) -> None:
    material = _material(sigstore_asset, identity="release@kestrel.example")
    report = verify(
        sigstore_asset("new_bundle.txt"),
        material,
        signatures=[sigstore_asset("new_bundle.txt.sigstore.json")],
    )
    assert report.verdict is Verdict.FAILED and "SAN" in report.checks[0].reason


def test_another_trusted_root_is_refused(sigstore_asset: Callable[[str], Path], tmp_path: Path) -> None:
    root = json.loads(sigstore_asset("trusted_root.json").read_text(encoding="utf-8"))
    root["certificateAuthorities"] = root["certificateAuthorities"][:1]  # only the oldest Fulcio CA
    pinned = tmp_path / "trusted_root.json"
    pinned.write_text(json.dumps(root), encoding="utf-8")
    material = trust((TrustKind.SIGSTORE_ROOT, pinned), identity=IDENTITY, issuer=ISSUER)
    report = verify(
        sigstore_asset("new_bundle.txt"),
        material,
        signatures=[sigstore_asset("new_bundle.txt.sigstore.json")],
    )
    assert report.verdict is Verdict.FAILED


def test_tampered_bundle_fails(sigstore_asset: Callable[[str], Path], tmp_path: Path) -> None:
    bundle = json.loads(sigstore_asset("new_bundle.txt.sigstore.json").read_text(encoding="utf-8"))
    entry = bundle["verificationMaterial"]["tlogEntries"][0]
    entry["inclusionProof"]["hashes"][0] = entry["inclusionProof"]["hashes"][1]
    forged = tmp_path / "forged.sigstore.json"
    forged.write_text(json.dumps(bundle), encoding="utf-8")
    artifact = tmp_path / "new_bundle.txt"
    shutil.copy(sigstore_asset("new_bundle.txt"), artifact)
    report = verify(artifact, _material(sigstore_asset), signatures=[forged])
    assert report.verdict is Verdict.FAILED
