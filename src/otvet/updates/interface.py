"""The update-verification interface: one verifier per mechanism, one required method.

A verifier checks one piece of evidence (a signature file, an attestation, a TUF metadata
directory) over one subject (the package or a hash list) with the trust material it is given,
at an explicit time, offline. It returns :class:`Verified` only on success and raises
:class:`SignatureFailure` otherwise (fail closed: there is no "maybe").

The SBOM diff's vulnerability part is a seam: :class:`VulnerabilitySource` is what the
knowledge base offers; the orchestrator passes it in when it is available.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Protocol

from otvet.model.components import Component
from otvet.model.errors import VerificationError
from otvet.model.updates import (
    ExpiredCertificatePolicy,
    KeyUse,
    Mechanism,
    RevocationMode,
    TrustEntry,
    TrustKind,
)
from otvet.safeio import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Material:
    """A trust-store entry with its content."""

    entry: TrustEntry
    content: bytes

    def use(self) -> KeyUse:
        """How a check names this entry in its report."""
        return KeyUse(
            entry=self.entry.id,
            kind=self.entry.kind.value,
            name=self.entry.name,
            fingerprint=self.entry.fingerprint,
            added_by=self.entry.added_by,
            added_at=self.entry.added_at,
        )


@dataclass(frozen=True)
class TrustMaterial:
    """The trust store as a verification sees it (possibly restricted to one vendor)."""

    items: tuple[Material, ...]
    digest: str
    vendor: str | None = None

    def of(self, *kinds: TrustKind) -> tuple[Material, ...]:
        """Entries of the given kinds."""
        return tuple(m for m in self.items if m.entry.kind in kinds)


@dataclass(frozen=True)
class FileInput:
    """A file taking part in a verification, already hashed."""

    name: str
    """As shown in the report."""
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class VerifyContext:
    """Everything a verifier may use besides its evidence and subject."""

    trust: TrustMaterial
    at: datetime
    """The explicit verification time (timezone-aware); verifiers never read the clock."""
    expired_certificates: ExpiredCertificatePolicy = ExpiredCertificatePolicy.REJECT
    revocation: RevocationMode = RevocationMode.HARD_FAIL
    limits: Limits = DEFAULT_LIMITS
    work_dir: Path | None = None
    """A private temporary directory for tools that need files (gpgv keyrings)."""


@dataclass(frozen=True)
class Verified:
    """A successful check."""

    reason: str
    keys: tuple[KeyUse, ...]
    signed_at: datetime | None = None
    signed_at_proven: bool = False
    policy: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    payload: bytes | None = None
    """Authenticated content carried by the evidence (a clear-signed hash list)."""


class SignatureFailure(VerificationError):
    """A check failed; the message says why, ``keys``/``details`` say with what."""

    def __init__(
        self,
        message: str,
        *,
        keys: Sequence[KeyUse] = (),
        details: Mapping[str, str] | None = None,
        matched: bool = False,
    ) -> None:
        super().__init__(message)
        self.reason = message
        self.keys = tuple(keys)
        self.details = dict(details or {})
        self.matched = matched
        """True when the signature does cover the subject but was refused (expired, revoked, too
        late, altered comment): that reason, not "does not match", is what the report shows."""


class SignatureVerifier(Protocol):
    """Checks one kind of signature evidence."""

    mechanism: ClassVar[Mechanism]

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        """Whether the evidence file (whose first bytes are ``head``) is of this mechanism."""
        ...

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        """Verify ``evidence`` over ``subject``; raise :class:`SignatureFailure` unless it holds."""
        ...


class VulnerabilitySource(Protocol):
    """The knowledge base's answer to "which vulnerabilities affect these components?".

    Implemented by the vulnerability knowledge base (or a test double); satisfied structurally.
    """

    @property
    def name(self) -> str:
        """What answered, with its data version (``otvet knowledge base, OSV 2026-11-20``)."""
        ...

    def vulnerabilities(self, components: Sequence[Component]) -> Mapping[str, Sequence[str]]:
        """Vulnerability ids per component ``ref`` (components without any may be absent)."""
        ...
