"""Pair an evidence bundle's update packages with the signatures and hash lists that cover them.

The orchestrator re-verifies the bundle's packages against the buyer's own trust store during an
assessment (ADR 0071). ``verify_package`` fails a package on any failed check, so it must only
be given evidence meant for that package. A file goes with a package when:

- it is a hash list (recognised by the intake as ``hash list``) that names the package's file
  name or lists its SHA-256;
- it is a signature a registered verifier recognises *and* its name is the package's or such a
  hash list's file name plus a suffix (``fw.bin.sig``, ``fw.bin.sigstore.json``,
  ``SHA256SUMS.minisig``, ``SHA256SUMS.asc``), the way vendors name detached signatures.

Public keys and certificates shipped in the bundle are never used: trust comes only from the
trust store (ADR 0061). A package no signature pairs with is not re-verified; the analyzer
judges its hash lists as usual.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from otvet.formats.hashlist import parse_hash_list
from otvet.model import ArtifactKind, EvidenceArtifact, EvidenceBundle, OtvetError
from otvet.model.updates import ExpiredCertificatePolicy, RevocationMode
from otvet.safeio import DEFAULT_LIMITS, Limits, read_text
from otvet.updates.interface import FileInput
from otvet.updates.registry import verifiers
from otvet.updates.verify import VerificationRequest

_HEAD = 4096


def _recognised(bundle: EvidenceBundle, artifact: EvidenceArtifact) -> bool:
    path = bundle.file_of(artifact)
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    item = FileInput(name=artifact.path, path=path, sha256=artifact.sha256, size=artifact.size)
    return any(v.recognises(item, head) for v in verifiers())


def _covers(
    bundle: EvidenceBundle, hash_list: EvidenceArtifact, package: EvidenceArtifact, limits: Limits
) -> bool:
    try:
        parsed = parse_hash_list(
            read_text(bundle.file_of(hash_list), display=hash_list.path, limits=limits), hash_list.path
        )
    except OtvetError:
        return False  # the analyzer reports unreadable hash lists
    return bool(parsed.for_name(package.path) or any(e.value == package.sha256 for e in parsed.entries))


def _named_after(signature: EvidenceArtifact, subjects: list[EvidenceArtifact]) -> bool:
    name = PurePosixPath(signature.path).name
    return any(name.startswith(PurePosixPath(s.path).name + ".") for s in subjects)


def bundle_requests(
    bundle: EvidenceBundle,
    *,
    expired_certificates: ExpiredCertificatePolicy = ExpiredCertificatePolicy.REJECT,
    revocation: RevocationMode = RevocationMode.HARD_FAIL,
    limits: Limits = DEFAULT_LIMITS,
) -> list[VerificationRequest]:
    """One verification request per update package that a signature of the bundle covers."""
    evidence = bundle.of_kind(ArtifactKind.SIGNATURE)
    lists = [a for a in evidence if a.format and a.format.startswith("hash list")]
    signatures = [a for a in evidence if a not in lists and _recognised(bundle, a)]
    requests = []
    for package in bundle.of_kind(ArtifactKind.UPDATE_PACKAGE):
        covering = [h for h in lists if _covers(bundle, h, package, limits)]
        signed = [s for s in signatures if _named_after(s, [package, *covering])]
        if not signed:
            continue
        files = [package, *signed, *covering]
        requests.append(
            VerificationRequest(
                package=bundle.file_of(package),
                signatures=tuple(bundle.file_of(s) for s in signed),
                sums=tuple(bundle.file_of(h) for h in covering),
                expired_certificates=expired_certificates,
                revocation=revocation,
                names={bundle.file_of(a): a.path for a in files},
            )
        )
    return requests
