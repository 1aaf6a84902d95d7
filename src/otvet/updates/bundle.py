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

from collections import defaultdict
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


def _hash_list_index(
    bundle: EvidenceBundle, lists: list[EvidenceArtifact], limits: Limits
) -> tuple[dict[str, list[EvidenceArtifact]], dict[str, list[EvidenceArtifact]]]:
    """Hash lists by the file names and by the digests they list (each list parsed once)."""
    by_name: dict[str, list[EvidenceArtifact]] = defaultdict(list)
    by_digest: dict[str, list[EvidenceArtifact]] = defaultdict(list)
    for hash_list in lists:
        try:
            text = read_text(bundle.file_of(hash_list), display=hash_list.path, limits=limits)
            parsed = parse_hash_list(text, hash_list.path)
        except OtvetError:
            continue  # the analyzer reports unreadable hash lists
        for entry in parsed.entries:
            for index, key in ((by_name, entry.name.rsplit("/", 1)[-1]), (by_digest, entry.value)):
                if hash_list not in index[key]:
                    index[key].append(hash_list)
    return by_name, by_digest


def _signature_index(signatures: list[EvidenceArtifact]) -> dict[str, list[EvidenceArtifact]]:
    """Signatures by each name they could be named after: ``fw.bin.sig`` -> ``fw.bin``, ``fw``."""
    index: dict[str, list[EvidenceArtifact]] = defaultdict(list)
    for signature in signatures:
        name = PurePosixPath(signature.path).name
        while "." in name:
            name = name.rsplit(".", 1)[0]
            index[name].append(signature)
    return index


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
    listed = set(lists)
    signatures = [a for a in evidence if a not in listed and _recognised(bundle, a)]
    lists_by_name, lists_by_digest = _hash_list_index(bundle, lists, limits)
    signatures_by_subject = _signature_index(signatures)
    requests = []
    for package in bundle.of_kind(ArtifactKind.UPDATE_PACKAGE):
        covering = list(
            dict.fromkeys([*lists_by_name.get(package.name, ()), *lists_by_digest.get(package.sha256, ())])
        )
        signed = list(
            dict.fromkeys(
                s for subject in (package, *covering) for s in signatures_by_subject.get(subject.name, ())
            )
        )
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
