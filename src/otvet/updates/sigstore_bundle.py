"""Sigstore bundles, verified offline against a pinned trusted root with an identity policy.

sigstore-python normally refreshes its trusted root over TUF at run time (and ``--offline``
has meant "mostly offline" in several tools: sigstore/cosign#4613). We never call
``Verifier.production()`` or anything that reaches the TUF updater: the ``Verifier`` is built
from a ``trusted_root.json`` that a person imported into the trust store, together with the
signer identity (certificate SAN) and OIDC issuer it vouches for. The bundle must carry its
inclusion proof and checkpoint (or a signed entry timestamp) so the transparency log is
checked from the bundle alone.

Signing time is proven, not asserted: Fulcio certificates live ten minutes, and the chain is
judged at the time the transparency log (or an RFC 3161 authority in the trusted root)
attests. We additionally require that time to be no later than the verification time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from cryptography.hazmat.primitives.serialization import Encoding

from otvet.model.errors import FormatError, Location
from otvet.model.updates import Mechanism, TrustKind
from otvet.safeio import parse_json, read_bytes
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext

BUNDLE_MEDIA_PREFIX = "application/vnd.dev.sigstore.bundle"
_IN_TOTO = "application/vnd.in-toto+json"


def load_trusted_root(data: bytes, display: str) -> Any:
    """A sigstore ``TrustedRoot`` from file content; never fetched, never refreshed."""
    # NOTE: sigstore is imported on use: it costs ~0.8 s, and most otvet commands never need it.
    from sigstore.models import TrustedRoot  # noqa: PLC0415
    from sigstore_models.trustroot import v1 as trustroot_v1  # noqa: PLC0415

    try:
        return TrustedRoot(trustroot_v1.TrustedRoot.from_json(data))
    except Exception as exc:  # pydantic and sigstore raise unrelated types for bad input
        raise FormatError(f"not a Sigstore trusted root: {exc}", Location(display)) from exc


def _sha256_file(subject: FileInput) -> bytes:
    return bytes.fromhex(subject.sha256)


def _subject_digests(payload: bytes, display: str) -> set[str]:
    try:
        statement = json.loads(payload)
    except ValueError as exc:
        raise SignatureFailure(f"the attestation in {display} is not JSON") from exc
    digests = set()
    for item in statement.get("subject") or ():
        if isinstance(item, dict):
            digest = item.get("digest") or {}
            if isinstance(digest, dict) and isinstance(digest.get("sha256"), str):
                digests.add(digest["sha256"].lower())
    return digests


class SigstoreVerifier:
    """Sigstore bundles (message signatures and DSSE attestations)."""

    mechanism: ClassVar[Mechanism] = Mechanism.SIGSTORE

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        return BUNDLE_MEDIA_PREFIX.encode() in head[:512] and head.lstrip().startswith(b"{")

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        from sigstore.errors import Error as SigstoreError  # noqa: PLC0415  # slow import, see load_trusted_root
        from sigstore.hashes import Hashed  # noqa: PLC0415
        from sigstore.models import Bundle  # noqa: PLC0415
        from sigstore.verify import Verifier, policy  # noqa: PLC0415
        from sigstore_models.common.v1 import HashAlgorithm  # noqa: PLC0415

        roots = ctx.trust.of(TrustKind.SIGSTORE_ROOT)
        if not roots:
            raise SignatureFailure("the trust store holds no Sigstore trusted root")
        raw = read_bytes(evidence.path, display=evidence.name, limits=ctx.limits)
        parse_json(raw, evidence.name, limits=ctx.limits)  # bounded JSON first: size and nesting limits
        try:
            bundle = Bundle.from_json(raw)
        except Exception as exc:  # InvalidBundle, pydantic ValidationError, ValueError
            raise SignatureFailure(f"{evidence.name} is not a valid Sigstore bundle: {exc}") from exc
        failures = []
        for material in roots:
            identity = policy.Identity(identity=material.entry.identity or "", issuer=material.entry.issuer)
            try:
                verifier = Verifier(trusted_root=load_trusted_root(material.content, material.entry.source))
                if bundle._dsse_envelope is not None:  # the public API has no accessor
                    payload_type, payload = verifier.verify_dsse(bundle, identity)
                    if payload_type != _IN_TOTO or subject.sha256 not in _subject_digests(
                        payload, evidence.name
                    ):
                        raise SignatureFailure(
                            f"the attestation in {evidence.name} does not name {subject.name} (sha256 {subject.sha256[:16]}...) as its subject"
                        )
                    kind = "DSSE attestation"
                else:
                    verifier.verify_artifact(
                        Hashed(algorithm=HashAlgorithm.SHA2_256, digest=_sha256_file(subject)),
                        bundle,
                        identity,
                    )
                    kind = "message signature"
            except (SigstoreError, ValueError) as exc:
                failures.append(f"{material.entry.name} ({material.entry.identity}): {exc}")
                continue
            return self._verified(bundle, material, subject, kind, ctx)
        raise SignatureFailure(
            f"Sigstore bundle {evidence.name} does not verify over {subject.name}: " + "; ".join(failures),
            keys=tuple(m.use() for m in roots),
        )

    def _verified(
        self, bundle: Any, material: Material, subject: FileInput, kind: str, ctx: VerifyContext
    ) -> Verified:
        integrated = getattr(bundle.log_entry._inner, "integrated_time", None)
        signed_at = datetime.fromtimestamp(int(integrated), tz=UTC) if integrated else None
        use = material.use()
        if signed_at is not None and signed_at > ctx.at:
            raise SignatureFailure(
                f"the transparency log records the signature at {signed_at.isoformat()}, after the verification time",
                keys=(use,),
            )
        cert = bundle.signing_certificate
        details = {
            "identity": material.entry.identity or "",
            "issuer": material.entry.issuer or "",
            "certificate_sha256": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
            "kind": kind,
        }
        return Verified(
            reason=(
                f"Sigstore {kind} over {subject.name} verifies offline against the pinned trusted root "
                f"'{material.entry.name}' for identity {material.entry.identity} (issuer {material.entry.issuer})"
            ),
            keys=(use,),
            signed_at=signed_at,
            signed_at_proven=signed_at is not None,
            policy="sigstore: certificate judged at the transparency-log time",
            details=details,
        )
