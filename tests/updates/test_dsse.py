"""in-toto attestations in DSSE envelopes, signed with keys made by ``cryptography`` at test time."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from otvet.model.updates import Mechanism, TrustKind, Verdict
from otvet.updates.dsse import pae
from tests.updates.conftest import trust, verify

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _sign(key: PrivateKey, message: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    return key.sign(message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())


def _envelope(
    directory: Path,
    key: PrivateKey,
    subjects: dict[str, str],
    *,
    predicate: str = "https://slsa.dev/provenance/v1",
) -> Path:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest}} for name, digest in subjects.items()],
        "predicateType": predicate,
        "predicate": {"buildDefinition": {"buildType": "https://kestrel.example/build/v1"}},
    }
    payload = json.dumps(statement).encode()
    signature = _sign(key, pae("application/vnd.in-toto+json", payload))
    envelope = {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": "", "sig": base64.b64encode(signature).decode()}],
    }
    path = directory / "provenance.intoto.json"
    path.write_text(json.dumps(envelope), encoding="utf-8")
    return path


def _public(directory: Path, key: PrivateKey, name: str = "builder.pub") -> Path:
    path = directory / name
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "make",
    [
        ed25519.Ed25519PrivateKey.generate,
        lambda: ec.generate_private_key(ec.SECP256R1()),
        lambda: rsa.generate_private_key(65537, 2048),
    ],
    ids=["ed25519", "ecdsa-p256", "rsa-pss"],
)
def test_attestation_about_the_package_verifies(make: object, package: Path, tmp_path: Path) -> None:
    key = make()  # type: ignore[operator]
    material = trust((TrustKind.PUBLIC_KEY, _public(tmp_path, key)))
    report = verify(
        package, material, signatures=[_envelope(tmp_path, key, {package.name: _digest(package)})]
    )
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    assert report.checks[0].mechanism is Mechanism.DSSE
    assert report.checks[0].details["predicate_type"] == "https://slsa.dev/provenance/v1"


def test_attestation_about_another_file_fails(package: Path, tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    envelope = _envelope(tmp_path, key, {"ka9-5.4.0.bin": "00" * 32})
    report = verify(package, trust((TrustKind.PUBLIC_KEY, _public(tmp_path, key))), signatures=[envelope])
    assert report.verdict is Verdict.FAILED and "not about" in report.checks[0].reason


def test_wrong_key_and_altered_payload_fail(package: Path, tmp_path: Path) -> None:
    key, other = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    material = trust((TrustKind.PUBLIC_KEY, _public(tmp_path, key)))
    wrong = _envelope(tmp_path, other, {package.name: _digest(package)})
    assert verify(package, material, signatures=[wrong]).verdict is Verdict.FAILED
    envelope = _envelope(tmp_path, key, {package.name: _digest(package)})
    document = json.loads(envelope.read_text(encoding="utf-8"))
    statement = json.loads(base64.b64decode(document["payload"]))
    statement["predicate"]["buildDefinition"]["buildType"] = "https://evil.example/"
    document["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    envelope.write_text(json.dumps(document), encoding="utf-8")
    report = verify(package, material, signatures=[envelope])
    assert (
        report.verdict is Verdict.FAILED and "altered or signed by an unknown key" in report.checks[0].reason
    )


def test_pae_matches_the_dsse_specification() -> None:
    # NOTE: the worked example of the DSSE v1 protocol document.
    assert (
        pae("http://example.com/HelloWorld", b"hello world")
        == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
