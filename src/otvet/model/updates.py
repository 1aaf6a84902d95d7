"""Update intake types: the trust store, verification reports, SBOM diffs and the approval workflow.

A verification report is what ``otvet update verify`` writes and what the bundle intake
recognises (top-level key ``otvet_verification``). It says, for one package at one explicit
verification time, which checks ran with which keys from which trust store (by digest), and
what the verdict is and why. The verdict is fail-closed: only ``authentic`` lets an update
proceed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

VERIFICATION_SCHEMA_VERSION = "1.0"


class TrustKind(StrEnum):
    """What a trust-store entry is."""

    OPENPGP = "openpgp"
    """OpenPGP public key(s) (armoured or binary), used through ``gpgv``."""
    MINISIGN = "minisign"
    """A minisign public key."""
    SIGNIFY = "signify"
    """An OpenBSD signify public key."""
    X509_ROOT = "x509-root"
    """A root certificate: trust anchor for CMS/PKCS#7 signatures."""
    X509_INTERMEDIATE = "x509-intermediate"
    """An intermediate certificate, used for chain building only (never an anchor)."""
    TSA_ROOT = "tsa-root"
    """Trust anchor of RFC 3161 timestamp authorities (signing-time proofs)."""
    CRL = "crl"
    """A certificate revocation list, checked during chain validation."""
    SIGSTORE_ROOT = "sigstore-trusted-root"
    """A Sigstore trusted root (``trusted_root.json``): Fulcio CAs, Rekor and CT keys, TSAs."""
    TUF_ROOT = "tuf-root"
    """A TUF root metadata file: the anchor of a TUF repository."""
    PUBLIC_KEY = "public-key"
    """A PEM public key (Ed25519, ECDSA P-256, RSA) for DSSE / in-toto attestations."""


@dataclass(frozen=True)
class TrustEntry:
    """One imported trust anchor, with who added it and when."""

    id: str
    """Short stable id: the first 16 hex digits of the content's SHA-256."""
    kind: TrustKind
    name: str
    fingerprint: str
    """Mechanism fingerprint: OpenPGP primary key fingerprint(s), minisign/signify key id,
    SHA-256 of a certificate or SPKI, CRL issuer and number, TUF root key ids."""
    sha256: str
    """SHA-256 of the imported content."""
    added_by: str
    added_at: datetime
    source: str
    """File name the entry was imported from."""
    vendor: str | None = None
    """When set, the entry only verifies updates of this vendor."""
    not_after: datetime | None = None
    """Expiry of a certificate or key, when it has one."""
    identity: str | None = None
    """Sigstore identity policy: the expected certificate SAN (email or URI)."""
    issuer: str | None = None
    """Sigstore identity policy: the expected OIDC issuer."""
    note: str | None = None


class Mechanism(StrEnum):
    """How a check establishes integrity or authenticity."""

    HASH = "hash"
    """A SHA-256/SHA-512 digest from a vendor hash list or a published value."""
    OPENPGP = "openpgp"
    MINISIGN = "minisign"
    SIGNIFY = "signify"
    CMS = "cms"
    SIGSTORE = "sigstore"
    TUF = "tuf"
    DSSE = "dsse"
    """A DSSE-signed in-toto attestation whose subject is the package."""
    UNRECOGNISED = "unrecognised"
    """Evidence in no format otvet can check (always a failed check)."""


class CheckStatus(StrEnum):
    """Outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"


class Verdict(StrEnum):
    """The verdict on a package."""

    AUTHENTIC = "authentic"
    """A signature by a trusted key covers the package, directly or through a signed hash list,
    and no check failed."""
    INTEGRITY_ONLY = "integrity_only"
    """The package matches a hash whose origin is not authenticated: transfer integrity at
    best, never authenticity. Not enough to install."""
    FAILED = "failed"
    """A check failed, or nothing could be checked."""


class ExpiredCertificatePolicy(StrEnum):
    """Named policies for certificates that have expired by the verification time."""

    REJECT = "reject"
    """Every certificate in the path must be valid at the verification time (default)."""
    TIMESTAMPED = "timestamped"
    """Accept an expired signing certificate only when an RFC 3161 timestamp from a TSA in the
    trust store proves the signature existed while the whole path was valid and unrevoked."""


class RevocationMode(StrEnum):
    """How missing or stale revocation information is treated (CRLs come from the trust store only).

    In every mode a certificate that a trust-store CRL lists as revoked fails the check, and the
    check's reason states the revocation status of each certificate of the path.
    """

    HARD_FAIL = "hard-fail"
    """A certificate naming a CRL distribution point must have a current CRL in the trust store,
    and a trust-store CRL that covers a certificate of the path must be current (a CRL past its
    ``nextUpdate`` fails the check: stale revocation data is no revocation check)."""
    REQUIRE = "require"
    """Every certificate in the path (except the trust anchor) must have a current CRL in the trust store."""
    SOFT_FAIL = "soft-fail"
    """Missing or stale CRLs are reported in the reason but do not fail the check (for sites
    that cannot refresh CRLs; a named, recorded choice, never the default)."""


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where when the action came over the network."""

    name: str
    source_address: str | None = None
    source_port: int | None = None


@dataclass(frozen=True)
class KeyUse:
    """A trust-store entry a check relied on."""

    entry: str
    """Trust-store entry id (empty for material carried by the evidence itself, e.g. a chain)."""
    kind: str
    name: str
    fingerprint: str
    added_by: str = ""
    added_at: datetime | None = None


@dataclass(frozen=True)
class FileRef:
    """A file given to the verification, as hashed."""

    name: str
    """File name as shown (bundle-relative when verifying a bundle)."""
    sha256: str
    size: int
    role: str
    """``package``, ``signature``, ``hash_list``, ``tuf_metadata``, ``attestation``."""


@dataclass(frozen=True)
class Check:
    """One verification step, with what it used and why it passed or failed."""

    id: str
    mechanism: Mechanism
    status: CheckStatus
    subject: str
    """The file the check is about (the package or a hash list)."""
    subject_sha256: str
    evidence: str
    """The signature, hash list, metadata directory or attestation used."""
    reason: str
    """Why, in a sentence an operator understands."""
    authenticates: bool = False
    """True when the check establishes the origin of its subject (a signature by a trusted key),
    False for a bare digest comparison."""
    keys: tuple[KeyUse, ...] = ()
    signed_at: datetime | None = None
    """Signing time, when the mechanism carries one."""
    signed_at_proven: bool = False
    """True when :attr:`signed_at` is proven (a trusted timestamp, a transparency log), not
    merely asserted by the signer."""
    policy: str | None = None
    """The named policy that decided, e.g. ``expired-certificates=timestamped``."""
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HashSource:
    """Where a reference digest of the package came from."""

    algorithm: str
    value: str
    source: str
    """The hash list file, or the free-text origin the user recorded (URL, document, phone call)."""
    authenticated_by: str | None = None
    """Id of the check that authenticated the source (a signature over the hash list)."""


@dataclass(frozen=True)
class TrustStoreRef:
    """The trust store a verification used, by digest."""

    digest: str
    """``sha256:`` + hex over the canonical JSON of every entry's identity and provenance."""
    entries: int
    vendor: str | None = None
    """The vendor scope the verification was restricted to, if any."""


@dataclass(frozen=True)
class VerificationReport:
    """The result of verifying one update package (``otvet update verify``)."""

    otvet_verification: str
    """Schema version of the report; also how the bundle intake recognises the file."""
    otvet_version: str
    generated_at: datetime
    """When the report was written (the machine clock)."""
    verification_time: datetime
    """The explicit time at which keys, certificates and metadata were judged."""
    package: FileRef
    package_sha512: str
    verdict: Verdict
    summary: str
    checks: tuple[Check, ...]
    inputs: tuple[FileRef, ...]
    hash_sources: tuple[HashSource, ...]
    trust_store: TrustStoreRef
    expired_certificates: ExpiredCertificatePolicy
    revocation: RevocationMode
    problems: tuple[str, ...] = ()


class ChangeKind(StrEnum):
    """How a component differs between two SBOMs."""

    VERSION = "version"
    HASHES = "hashes"
    SUPPLIER = "supplier"
    LICENSES = "licenses"
    PURL = "purl"


@dataclass(frozen=True)
class ComponentSummary:
    """A component as listed in an SBOM diff."""

    key: str
    """Identity across versions: purl without version, else CPE vendor:product, else name."""
    name: str
    version: str | None
    purl: str | None
    ref: str


@dataclass(frozen=True)
class ComponentChange:
    """A component present in both SBOMs whose content differs."""

    key: str
    name: str
    old_version: str | None
    new_version: str | None
    changes: tuple[ChangeKind, ...]
    old_ref: str
    new_ref: str


@dataclass(frozen=True)
class VulnerabilityChange:
    """A vulnerability fixed or introduced by the update, per component identity."""

    vulnerability: str
    component: str
    """Component key."""
    label: str
    """``name@version`` on the side where the vulnerability applies."""


@dataclass(frozen=True)
class VulnerabilityDelta:
    """Vulnerabilities fixed and introduced, from a named vulnerability source."""

    source: str
    """The knowledge base that answered, with its data version."""
    fixed: tuple[VulnerabilityChange, ...]
    introduced: tuple[VulnerabilityChange, ...]
    remaining: tuple[VulnerabilityChange, ...]


@dataclass(frozen=True)
class SbomRef:
    """One side of an SBOM diff."""

    path: str
    sha256: str
    format: str
    subject: str | None
    components: int


@dataclass(frozen=True)
class SbomDiff:
    """What changes between the running version's SBOM and the update's."""

    otvet_sbom_diff: str
    old: SbomRef
    new: SbomRef
    added: tuple[ComponentSummary, ...]
    removed: tuple[ComponentSummary, ...]
    changed: tuple[ComponentChange, ...]
    unchanged: int
    vulnerabilities: VulnerabilityDelta | None
    """None when no vulnerability source was available: never read as "no vulnerabilities"."""
    vulnerability_note: str
    """``vulnerability data not available`` when :attr:`vulnerabilities` is None, else a summary."""
    problems: tuple[str, ...] = ()


class IntakeState(StrEnum):
    """States of an update intake (CISA deployment guidance: verify, approve, deploy, validate)."""

    RECEIVED = "received"
    VERIFIED = "verified"
    ASSESSED = "assessed"
    APPROVED = "approved"
    DEPLOYED = "deployed"
    VALIDATED = "validated"
    ROLLED_BACK = "rolled_back"


@dataclass(frozen=True)
class RollbackPlan:
    """How to go back if the update fails: previous version, configuration backup, golden image."""

    previous_version: str
    previous_artifact: str
    """Path of the previous version's package."""
    previous_sha256: str
    configuration_backup: str
    """Reference to the configuration backup (path, or an identifier in the site's system)."""
    golden_image: str
    """Reference to the golden image."""
    configuration_backup_sha256: str | None = None
    """Set when the reference is a readable file."""
    golden_image_sha256: str | None = None


@dataclass(frozen=True)
class BoundDigests:
    """The inputs an approval is bound to (any change voids it)."""

    package: str
    verification_report: str
    sbom_diff: str
    rollback_plan: str


@dataclass(frozen=True)
class Approval:
    """One approval of an update intake."""

    approver: str
    approved_at: datetime
    digests: BoundDigests
    comment: str | None = None
    valid: bool = True
    """False when an input changed after the approval (the approval is void)."""


@dataclass(frozen=True)
class Transition:
    """A state change of an intake, as recorded."""

    at: datetime
    actor: str
    from_state: IntakeState | None
    to_state: IntakeState
    note: str


@dataclass(frozen=True)
class Intake:
    """An update going through the intake workflow."""

    id: str
    product: str
    version: str
    package_path: str
    package_sha256: str
    submitter: str
    state: IntakeState
    created_at: datetime
    report_path: str | None = None
    report_sha256: str | None = None
    verdict: Verdict | None = None
    sbom_diff_path: str | None = None
    sbom_diff_sha256: str | None = None
    rollback: RollbackPlan | None = None
    rollback_sha256: str | None = None
    approvals: tuple[Approval, ...] = ()
    transitions: tuple[Transition, ...] = ()

    @property
    def valid_approvals(self) -> tuple[Approval, ...]:
        """Approvals still bound to the current inputs."""
        return tuple(a for a in self.approvals if a.valid)
