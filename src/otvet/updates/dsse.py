"""in-toto attestations in DSSE envelopes, signed by keys imported as ``public-key``.

DSSE (https://github.com/secure-systems-lab/dsse, protocol v1): the signature covers the
pre-authentication encoding ``"DSSEv1" SP len(type) SP type SP len(body) SP body``, never the
bare payload. The payload must be an in-toto Statement (v0.1 or v1) whose ``subject`` lists
the package's SHA-256; a valid signature over a statement about another file proves nothing
about this one. Supported keys: Ed25519, ECDSA P-256/P-384 (SHA-256/384), RSA-PSS (SHA-256).
Full in-toto layout verification (supply-chain steps and thresholds) is out of scope.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from otvet.model.updates import Mechanism, TrustKind
from otvet.safeio import parse_json, read_bytes
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext

IN_TOTO_PAYLOAD = "application/vnd.in-toto+json"
STATEMENT_TYPES = ("https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    encoded = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(encoded), encoded, len(payload), payload)


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise SignatureFailure(f"{what} is not a base64 string")
    try:
        # NOTE: DSSE allows standard or URL-safe base64, padded or not.
        padded = text + "=" * (-len(text) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureFailure(f"{what} is not valid base64") from None


def _verify(key: Any, signature: bytes, message: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            algorithm = hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()
            key.verify(signature, message, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(
                signature,
                message,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
                hashes.SHA256(),
            )
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


class DsseVerifier:
    """DSSE envelopes carrying in-toto statements about the package."""

    mechanism: ClassVar[Mechanism] = Mechanism.DSSE

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        return head.lstrip().startswith(b"{") and b'"payloadType"' in head and b'"signatures"' in head

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        keys = ctx.trust.of(TrustKind.PUBLIC_KEY)
        if not keys:
            raise SignatureFailure("the trust store holds no public key for attestations")
        envelope = parse_json(
            read_bytes(evidence.path, display=evidence.name, limits=ctx.limits),
            evidence.name,
            limits=ctx.limits,
        )
        if not isinstance(envelope, dict) or not isinstance(envelope.get("signatures"), list):
            raise SignatureFailure(f"{evidence.name} is not a DSSE envelope")
        payload_type = envelope.get("payloadType")
        if payload_type != IN_TOTO_PAYLOAD:
            raise SignatureFailure(f"DSSE payload type {payload_type!r} is not an in-toto statement")
        payload = _b64(envelope.get("payload"), "DSSE payload")
        message = pae(payload_type, payload)
        signer: Material | None = None
        for item in envelope["signatures"]:
            if not isinstance(item, dict):
                continue
            signature = _b64(item.get("sig"), "DSSE signature")
            for material in keys:
                public = serialization.load_pem_public_key(material.content)
                if _verify(public, signature, message):
                    signer = material
                    break
            if signer is not None:
                break
        if signer is None:
            raise SignatureFailure(
                f"no signature of {evidence.name} verifies with a trusted public key (the attestation was altered or signed by an unknown key)"
            )
        try:
            statement = json.loads(payload)
        except ValueError:
            raise SignatureFailure("the signed payload is not JSON", keys=(signer.use(),)) from None
        if not isinstance(statement, dict) or statement.get("_type") not in STATEMENT_TYPES:
            raise SignatureFailure("the signed payload is not an in-toto Statement", keys=(signer.use(),))
        subjects = [s for s in statement.get("subject") or () if isinstance(s, dict)]
        digests = {str((s.get("digest") or {}).get("sha256", "")).lower() for s in subjects}
        if subject.sha256 not in digests:
            names = ", ".join(str(s.get("name")) for s in subjects) or "nothing"
            raise SignatureFailure(
                f"the attestation is about {names}, not about {subject.name} (sha256 {subject.sha256[:16]}...)",
                keys=(signer.use(),),
            )
        predicate = str(statement.get("predicateType", ""))
        return Verified(
            reason=f"in-toto attestation ({predicate or 'no predicate type'}) about {subject.name} is signed by trusted key {signer.entry.name}",
            keys=(signer.use(),),
            details={"predicate_type": predicate, "statement_type": str(statement.get("_type"))},
        )
