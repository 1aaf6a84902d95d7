"""Verify an update package offline: every given signature, hash list, digest and TUF repository.

The verdict is fail-closed (docs/adr/0061-update-verification-verdicts.md):

- any failed check fails the package (a good signature never outweighs a bad one);
- ``authentic`` needs a passing signature by a trusted key over the package itself, or over a
  hash list that lists the package's digest;
- a digest that matches but whose source is not authenticated is ``integrity_only``;
- nothing to check at all is ``failed`` ("unsigned package").

Every file is hashed once up front, so the report names the exact bytes that were judged.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from otvet import __version__
from otvet.formats.hashlist import normalise_digest, parse_hash_list
from otvet.model import NO_PROGRESS, OtvetError, Progress
from otvet.model.errors import InputError, Location
from otvet.model.updates import (
    VERIFICATION_SCHEMA_VERSION,
    Check,
    CheckStatus,
    ExpiredCertificatePolicy,
    FileRef,
    HashSource,
    KeyUse,
    Mechanism,
    RevocationMode,
    TrustStoreRef,
    Verdict,
    VerificationReport,
)
from otvet.safeio import DEFAULT_LIMITS, Limits, decode_text, read_bytes
from otvet.updates import openpgp
from otvet.updates.interface import FileInput, SignatureFailure, TrustMaterial, Verified, VerifyContext
from otvet.updates.registry import verifiers
from otvet.updates.tuf_repo import TufState, trusted_roots, verify_repository

_CHUNK = 1024 * 1024
_HEAD = 4096


class TufStates(Protocol):
    """Remembers the newest TUF metadata versions verified per trusted root."""

    def get(self, entry_id: str) -> TufState | None:
        """The state of one trusted root, if any."""
        ...

    def put(self, entry_id: str, state: TufState) -> None:
        """Store the state after a successful verification."""
        ...


@dataclass(frozen=True)
class VerificationRequest:
    """What to verify."""

    package: Path
    signatures: tuple[Path, ...] = ()
    sums: tuple[Path, ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    """(digest, where it came from), e.g. a SHA-256 copied from the vendor's download page."""
    tuf: Path | None = None
    tuf_target: str | None = None
    expired_certificates: ExpiredCertificatePolicy = ExpiredCertificatePolicy.REJECT
    revocation: RevocationMode = RevocationMode.HARD_FAIL
    names: dict[Path, str] = field(default_factory=dict)
    """Display names for files (default: the path as given)."""


def hash_file(path: Path, progress: Progress = NO_PROGRESS) -> tuple[str, str, int]:
    """SHA-256, SHA-512 and size of a file, streamed."""
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha256.update(chunk)
            sha512.update(chunk)
            size += len(chunk)
            progress.advance(len(chunk))
    return sha256.hexdigest(), sha512.hexdigest(), size


def _input(path: Path, request: VerificationRequest) -> tuple[FileInput, str]:
    if not path.exists():
        raise InputError("no such file", Location(str(path)))
    if not path.is_file():
        raise InputError("not a regular file", Location(str(path)))
    sha256, sha512, size = hash_file(path)
    return FileInput(name=request.names.get(path, str(path)), path=path, sha256=sha256, size=size), sha512


def _ref(item: FileInput, role: str) -> FileRef:
    return FileRef(name=item.name, sha256=item.sha256, size=item.size, role=role)


class _Checks:
    def __init__(self) -> None:
        self.items: list[Check] = []

    def next_id(self) -> str:
        return f"c{len(self.items) + 1}"

    def passed(
        self,
        mechanism: Mechanism,
        subject: FileInput,
        evidence: str,
        verified: Verified,
        *,
        authenticates: bool,
    ) -> Check:
        check = Check(
            id=self.next_id(),
            mechanism=mechanism,
            status=CheckStatus.PASSED,
            subject=subject.name,
            subject_sha256=subject.sha256,
            evidence=evidence,
            reason=verified.reason,
            authenticates=authenticates,
            keys=verified.keys,
            signed_at=verified.signed_at,
            signed_at_proven=verified.signed_at_proven,
            policy=verified.policy,
            details=dict(verified.details),
        )
        self.items.append(check)
        return check

    def failed(
        self,
        mechanism: Mechanism,
        subject: FileInput,
        evidence: str,
        reason: str,
        keys: Sequence[KeyUse] = (),
        details: dict[str, str] | None = None,
    ) -> Check:
        check = Check(
            id=self.next_id(),
            mechanism=mechanism,
            status=CheckStatus.FAILED,
            subject=subject.name,
            subject_sha256=subject.sha256,
            evidence=evidence,
            reason=reason,
            keys=tuple(keys),
            details=dict(details or {}),
        )
        self.items.append(check)
        return check


def verify_package(
    request: VerificationRequest,
    trust: TrustMaterial,
    *,
    at: datetime,
    tuf_states: TufStates | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NO_PROGRESS,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify a package and build the report (never raises for a failed check; only for unusable input)."""
    if at.tzinfo is None:
        raise InputError("the verification time must carry a time zone")
    if not request.package.is_file():
        raise InputError("no such package file", Location(str(request.package)))
    progress.start(f"Hashing {request.package.name}", request.package.stat().st_size)
    sha256, sha512, size = hash_file(request.package, progress)
    progress.finish()
    package = FileInput(
        request.names.get(request.package, str(request.package)), request.package, sha256, size
    )
    inputs = [_ref(package, "package")]
    signatures = []
    for path in request.signatures:
        item, _ = _input(path, request)
        signatures.append(item)
        inputs.append(_ref(item, "signature"))
    lists = []
    for path in request.sums:
        item, _ = _input(path, request)
        lists.append(item)
        inputs.append(_ref(item, "hash_list"))
    checks = _Checks()
    hash_sources: list[HashSource] = []
    problems: list[str] = []
    authenticated: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="otvet-verify-") as work:
        ctx = VerifyContext(
            trust=trust,
            at=at,
            expired_certificates=request.expired_certificates,
            revocation=request.revocation,
            limits=limits,
            work_dir=Path(work),
        )
        progress.start(
            "Checking signatures", len(signatures) + len(lists) + len(request.digests) + bool(request.tuf)
        )
        for evidence in signatures:
            _signature(evidence, package, lists, ctx, checks, authenticated)
            progress.advance(1, evidence.name)
        for hash_list in lists:
            _hash_list(hash_list, package, sha512, ctx, checks, authenticated, hash_sources, problems)
            progress.advance(1, hash_list.name)
        for digest, source in request.digests:
            _digest(digest, source, package, sha512, checks, hash_sources)
            progress.advance(1)
        if request.tuf is not None:
            _tuf(request, package, ctx, checks, tuf_states)
            progress.advance(1)
        progress.finish()
    verdict, summary = _verdict(checks.items, package, authenticated)
    generated = (now or datetime.now(UTC)).replace(microsecond=0)
    drift = abs((generated - at).total_seconds())
    if drift > 24 * 3600:
        problems.append(
            f"the verification time {at.isoformat()} differs from the time the report was made by {drift / 86400:.0f} days"
        )
    return VerificationReport(
        otvet_verification=VERIFICATION_SCHEMA_VERSION,
        otvet_version=__version__,
        generated_at=generated,
        verification_time=at,
        package=_ref(package, "package"),
        package_sha512=sha512,
        verdict=verdict,
        summary=summary,
        checks=tuple(checks.items),
        inputs=tuple(inputs),
        hash_sources=tuple(hash_sources),
        trust_store=TrustStoreRef(digest=trust.digest, entries=len(trust.items), vendor=trust.vendor),
        expired_certificates=request.expired_certificates,
        revocation=request.revocation,
        problems=tuple(problems),
    )


def _head(item: FileInput) -> bytes:
    with item.path.open("rb") as handle:
        return handle.read(_HEAD)


def _signature(
    evidence: FileInput,
    package: FileInput,
    lists: list[FileInput],
    ctx: VerifyContext,
    checks: _Checks,
    authenticated: dict[str, str],
) -> None:
    head = _head(evidence)
    chosen = next((v for v in verifiers() if v.recognises(evidence, head)), None)
    if chosen is None:
        checks.failed(
            Mechanism.UNRECOGNISED,
            package,
            evidence.name,
            f"{evidence.name} is not a signature otvet can check (OpenPGP, minisign, signify, CMS/PKCS#7, "
            "Sigstore bundle or DSSE attestation)",
        )
        return
    failures: list[tuple[FileInput, SignatureFailure]] = []
    for subject in [package, *lists]:
        try:
            verified = chosen.verify(evidence, subject, ctx)
        except SignatureFailure as exc:
            failures.append((subject, exc))
            continue
        except OtvetError as exc:  # unreadable evidence, limits: the check fails, the run goes on
            failures.append((subject, SignatureFailure(str(exc))))
            continue
        check = checks.passed(chosen.mechanism, subject, evidence.name, verified, authenticates=True)
        if subject is not package:
            authenticated[subject.sha256] = check.id
        return
    # A signature that covers a subject but was refused explains itself better than "no match".
    failures.sort(key=lambda item: not item[1].matched)
    first_subject, first = failures[0]
    reasons = [first.reason]
    if not first.matched:
        reasons += [f"over {s.name}: {f.reason}" for s, f in failures[1:] if f.reason != first.reason]
    checks.failed(
        chosen.mechanism, first_subject, evidence.name, "; ".join(reasons), first.keys, first.details
    )


def _hash_list(
    hash_list: FileInput,
    package: FileInput,
    sha512: str,
    ctx: VerifyContext,
    checks: _Checks,
    authenticated: dict[str, str],
    hash_sources: list[HashSource],
    problems: list[str],
) -> None:
    raw = read_bytes(hash_list.path, display=hash_list.name, limits=ctx.limits)
    if openpgp.is_clearsigned(raw):
        try:
            verified = openpgp.verify_clearsigned(hash_list, ctx)
        except SignatureFailure as exc:
            checks.failed(Mechanism.OPENPGP, hash_list, hash_list.name, exc.reason, exc.keys, exc.details)
            return
        check = checks.passed(Mechanism.OPENPGP, hash_list, hash_list.name, verified, authenticates=True)
        authenticated[hash_list.sha256] = check.id
        raw = verified.payload or b""
    try:
        parsed = parse_hash_list(decode_text(raw, hash_list.name), hash_list.name)
    except OtvetError as exc:
        checks.failed(
            Mechanism.HASH, package, hash_list.name, f"{hash_list.name} is not a usable hash list: {exc}"
        )
        return
    problems.extend(f"{hash_list.name}: {line}" for line in parsed.rejected)
    by = authenticated.get(hash_list.sha256)
    named = parsed.for_name(package.name)
    wrong = [e for e in named if e.value not in (package.sha256, sha512)]
    if wrong:
        entry = wrong[0]
        checks.failed(
            Mechanism.HASH,
            package,
            hash_list.name,
            f"{hash_list.name} line {entry.line} lists {entry.name} with {entry.algorithm} {entry.value[:16]}..., "
            f"but the package hashes to {(package.sha256 if entry.algorithm == 'SHA-256' else sha512)[:16]}...: "
            "the package was altered or is another version",
        )
        return
    matches = parsed.for_digest(package.sha256, sha512)
    if not matches:
        checks.failed(
            Mechanism.HASH, package, hash_list.name, f"{hash_list.name} does not list the package's digest"
        )
        return
    entry = matches[0]
    origin = (
        f"the hash list is authenticated by check {by}"
        if by
        else "the hash list itself is not signed, so this shows integrity of transfer only, not who made the package"
    )
    name_note = (
        ""
        if entry.name.rsplit("/", 1)[-1] == package.name.rsplit("/", 1)[-1]
        else f" (listed as {entry.name!r})"
    )
    checks.passed(
        Mechanism.HASH,
        package,
        hash_list.name,
        Verified(
            reason=f"{entry.algorithm} of {package.name} matches line {entry.line} of {hash_list.name}{name_note}; {origin}",
            keys=(),
            details={"algorithm": entry.algorithm, "line": str(entry.line)},
        ),
        authenticates=False,
    )
    hash_sources.append(
        HashSource(algorithm=entry.algorithm, value=entry.value, source=hash_list.name, authenticated_by=by)
    )


def _digest(
    digest: str, source: str, package: FileInput, sha512: str, checks: _Checks, hash_sources: list[HashSource]
) -> None:
    algorithm, value = normalise_digest(digest, "--sha256")
    actual = package.sha256 if algorithm == "SHA-256" else sha512
    hash_sources.append(HashSource(algorithm=algorithm, value=value, source=source))
    if value != actual:
        checks.failed(
            Mechanism.HASH,
            package,
            source,
            f"the {algorithm} from {source} ({value[:16]}...) does not match the package ({actual[:16]}...)",
        )
        return
    checks.passed(
        Mechanism.HASH,
        package,
        source,
        Verified(
            reason=f"{algorithm} of {package.name} matches the value from {source}; its origin is recorded, not authenticated",
            keys=(),
            details={"algorithm": algorithm},
        ),
        authenticates=False,
    )


def _tuf(
    request: VerificationRequest,
    package: FileInput,
    ctx: VerifyContext,
    checks: _Checks,
    states: TufStates | None,
) -> None:
    assert request.tuf is not None  # noqa: S101  # the caller checked
    shown = request.names.get(request.tuf, str(request.tuf))
    target = request.tuf_target or request.package.name
    roots = trusted_roots(ctx)
    if not roots:
        checks.failed(Mechanism.TUF, package, shown, "the trust store holds no TUF root")
        return
    failures: list[SignatureFailure] = []
    for material in roots:
        state = states.get(material.entry.id) if states is not None else None
        try:
            verified, new_state = verify_repository(request.tuf, target, package, material, ctx, state)
        except SignatureFailure as exc:
            failures.append(exc)
            continue
        except OtvetError as exc:
            failures.append(SignatureFailure(str(exc)))
            continue
        if states is not None:
            states.put(material.entry.id, new_state)
        checks.passed(Mechanism.TUF, package, shown, verified, authenticates=True)
        return
    checks.failed(
        Mechanism.TUF,
        package,
        shown,
        "; ".join(f.reason for f in failures),
        tuple(m.use() for m in roots),
    )


def _verdict(checks: list[Check], package: FileInput, authenticated: dict[str, str]) -> tuple[Verdict, str]:
    if not checks:
        return Verdict.FAILED, (
            f"nothing to verify {package.name} against: no signature, hash list, digest or TUF repository was "
            "given (an unsigned package is never accepted)"
        )
    failed = [c for c in checks if c.status is CheckStatus.FAILED]
    if failed:
        return Verdict.FAILED, "; ".join(f"{c.id} ({c.mechanism.value}): {c.reason}" for c in failed)
    direct = [c for c in checks if c.authenticates and c.subject_sha256 == package.sha256]
    if direct:
        return Verdict.AUTHENTIC, f"{direct[0].reason} ({len(checks)} check(s) passed)"
    by_id = {c.id: c for c in checks}
    for check in checks:
        if check.mechanism is not Mechanism.HASH or check.status is not CheckStatus.PASSED:
            continue
        signer = next((by_id[i] for i in authenticated.values() if by_id[i].subject == check.evidence), None)
        if signer is not None:
            return Verdict.AUTHENTIC, (
                f"{signer.reason}, and {package.name} matches its {check.details.get('algorithm', 'digest')} "
                f"entry ({len(checks)} check(s) passed)"
            )
    return Verdict.INTEGRITY_ONLY, (
        f"{package.name} matches a digest whose source is not authenticated; this proves at best that the file "
        "was not damaged in transfer, not that the vendor made it"
    )
