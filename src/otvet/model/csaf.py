"""CSAF types: validation findings, resolved products, match verdicts, advisory records, distribution checks.

The CSAF reader (``otvet.formats.csaf``) produces these; the CSAF analyzer, the CLI and (after
the knowledge-base integration) the advisory importer consume them. Every verdict that rests on
interpretation carries a :class:`MatchConfidence`, so a heuristic match is never shown as a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from otvet.model.vex import VexStatus


class CheckGroup(StrEnum):
    """Which family of CSAF checks found an issue (CSAF 2.0 section 6)."""

    SCHEMA = "schema"
    """JSON schema of the CSAF version (normative)."""
    MANDATORY = "mandatory"
    """Section 6.1: a document failing one is not a valid CSAF document."""
    OPTIONAL = "optional"
    """Section 6.2: a failure is a warning."""
    INFORMATIVE = "informative"
    """Section 6.3: a failure is information."""

    @property
    def invalidates(self) -> bool:
        """Whether a failure makes the document invalid."""
        return self in (CheckGroup.SCHEMA, CheckGroup.MANDATORY)


@dataclass(frozen=True)
class CsafIssue:
    """One problem found in a CSAF document."""

    test_id: str
    """``schema`` or the section number of the test, e.g. ``6.1.27.9``."""
    group: CheckGroup
    pointer: str
    """JSON pointer (RFC 6901) of the offending value; ``""`` is the whole document."""
    message: str

    def __str__(self) -> str:
        return f"[{self.test_id}] {self.pointer or '/'}: {self.message}"


@dataclass(frozen=True)
class CsafValidation:
    """The result of validating one CSAF document."""

    path: str
    csaf_version: str | None
    category: str | None
    tracking_id: str | None
    issues: tuple[CsafIssue, ...] = ()
    tests_run: tuple[str, ...] = ()
    """Ids of the tests that ran (``schema`` and section numbers)."""
    tests_not_run: tuple[tuple[str, str], ...] = ()
    """(test id, reason) of tests that were not run on this document."""

    @property
    def valid(self) -> bool:
        """No schema or mandatory-test failure."""
        return not any(i.group.invalidates for i in self.issues)

    @property
    def errors(self) -> tuple[CsafIssue, ...]:
        """Issues that make the document invalid."""
        return tuple(i for i in self.issues if i.group.invalidates)

    @property
    def warnings(self) -> tuple[CsafIssue, ...]:
        """Optional and informative findings."""
        return tuple(i for i in self.issues if not i.group.invalidates)


class MatchConfidence(StrEnum):
    """How much an interpretation (a version range, a product match) can be trusted.

    Ordered from strongest to weakest; combining two interpretations keeps the weaker one.
    """

    EXACT = "exact"
    """Identical identifiers or versions (after trivial normalisation such as a ``V`` prefix)."""
    PARSED_RANGE = "parsed_range"
    """A range read completely under a defined grammar (``vers:`` or a known free-text form)."""
    HEURISTIC = "heuristic"
    """Read with an assumption that is stated in the reason (a dropped remark, a name containment)."""
    NEEDS_REVIEW = "needs_review"
    """Could not be interpreted: never counted as a match or a non-match."""

    @property
    def rank(self) -> int:
        """Higher is stronger."""
        return {"exact": 3, "parsed_range": 2, "heuristic": 1, "needs_review": 0}[self.value]

    def weaker(self, other: MatchConfidence) -> MatchConfidence:
        """The weaker of two confidences."""
        return self if self.rank <= other.rank else other


@dataclass(frozen=True)
class VersionConstraint:
    """One comparison: ``operator`` is ``<``, ``<=``, ``>``, ``>=``, ``=``, ``!=`` or ``*`` (any)."""

    operator: str
    version: str = ""


@dataclass(frozen=True)
class VersionRange:
    """A version range string as read: alternatives (OR) of constraint groups (AND)."""

    text: str
    confidence: MatchConfidence
    alternatives: tuple[tuple[VersionConstraint, ...], ...] = ()
    scheme: str | None = None
    """``vers`` scheme (``generic``, ``npm``, ``all``, ...) or ``text`` for free text."""
    reason: str = ""
    """How it was read, or why it could not be (always set below ``parsed_range``)."""

    @property
    def parsed(self) -> bool:
        """Whether the range can be evaluated (anything but ``needs_review``)."""
        return self.confidence is not MatchConfidence.NEEDS_REVIEW


class MatchVerdict(StrEnum):
    """Whether an advisory product applies to the product under assessment."""

    MATCH = "match"
    NO_MATCH = "no_match"
    UNDECIDED = "undecided"
    """Same product, but the version (range) could not be evaluated: review by hand."""


@dataclass(frozen=True)
class CsafProduct:
    """A CSAF product id resolved to everything the document says about it."""

    product_id: str
    name: str
    """The ``full_product_name`` name."""
    vendor: str | None = None
    product_family: str | None = None
    product_name: str | None = None
    version: str | None = None
    """From a ``product_version`` branch."""
    version_range: str | None = None
    """From a ``product_version_range`` branch, as given."""
    cpe: str | None = None
    purl: str | None = None
    model_numbers: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    serial_numbers: tuple[str, ...] = ()
    hashes: tuple[tuple[str, str], ...] = ()
    """(algorithm, value) pairs of the product's file hashes."""
    location: str = ""
    """JSON pointer of the defining ``product`` / ``full_product_name``."""
    relationship: tuple[str, str, str] | None = None
    """(category, product_reference, relates_to_product_reference) for relationship products."""


@dataclass(frozen=True)
class ProductMatch:
    """A verdict on one advisory product against the product under assessment."""

    product: CsafProduct
    verdict: MatchVerdict
    confidence: MatchConfidence
    reason: str


@dataclass(frozen=True)
class CvssScore:
    """A CVSS score of a vulnerability for some products."""

    version: str
    vector: str
    base_score: float | None
    base_severity: str | None
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Remediation:
    """A remediation of a CSAF vulnerability (``vendor_fix``, ``mitigation``, ``workaround``, ...)."""

    category: str
    details: str
    product_ids: tuple[str, ...] = ()
    """Product ids, with group ids already expanded."""
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class ProductStatusEntry:
    """One product's status for one vulnerability, with the product resolved."""

    status: str
    """The CSAF product_status key: ``known_affected``, ``fixed``, ``first_fixed``, ..."""
    vex_status: VexStatus
    product: CsafProduct


@dataclass(frozen=True)
class VulnerabilityRecord:
    """One CSAF vulnerability, flattened for storage and display."""

    cve: str | None
    ids: tuple[tuple[str, str], ...] = ()
    """(system_name, text) of other identifiers."""
    title: str | None = None
    cwe: tuple[str, str] | None = None
    """(id, name)."""
    description: str | None = None
    """The text of the first ``description`` note, if any."""
    scores: tuple[CvssScore, ...] = ()
    remediations: tuple[Remediation, ...] = ()
    statuses: tuple[ProductStatusEntry, ...] = ()
    location: str = ""
    release_date: str | None = None
    """``release_date`` of the vulnerability (when it was made public), as given."""
    flags: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(label, product ids) of the VEX justification flags (CSAF 2.0 section 3.2.3.5)."""


@dataclass(frozen=True)
class AdvisoryRecord:
    """A CSAF document reduced to what an importer stores and an assessment shows."""

    path: str
    advisory_id: str
    title: str
    category: str
    csaf_version: str
    publisher: str
    publisher_namespace: str | None
    publisher_category: str | None
    status: str | None
    version: str | None
    initial_release_date: str | None
    current_release_date: str | None
    products: tuple[CsafProduct, ...] = ()
    vulnerabilities: tuple[VulnerabilityRecord, ...] = ()

    @property
    def cves(self) -> tuple[str, ...]:
        """CVE ids of the advisory, in document order."""
        return tuple(v.cve for v in self.vulnerabilities if v.cve)


class CheckOutcome(StrEnum):
    """Outcome of one distribution or signature check."""

    PASS = "pass"  # noqa: S105  # an outcome, not a password
    FAIL = "fail"
    WARNING = "warning"
    UNVERIFIED = "unverified"
    """Could not be verified (e.g. a signature without a trusted key): never reported as valid."""


@dataclass(frozen=True)
class DistributionFinding:
    """One finding of a CSAF distribution check."""

    check: str
    """``provider-metadata``, ``index.txt``, ``changes.csv``, ``rolie``, ``filename``, ``hash``,
    ``signature``, ``document``."""
    outcome: CheckOutcome
    path: str
    message: str
    reference: str = ""
    """The CSAF 2.0 requirement the check implements, e.g. ``7.1.2``."""


@dataclass(frozen=True)
class DistributionReport:
    """Result of checking a CSAF provider's distribution (a directory or a saved site copy)."""

    root: str
    role: str | None
    documents: int
    findings: tuple[DistributionFinding, ...] = ()
    validations: tuple[CsafValidation, ...] = ()

    def count(self, outcome: CheckOutcome, check: str | None = None) -> int:
        """Number of findings with this outcome (optionally of one check)."""
        return sum(1 for f in self.findings if f.outcome is outcome and (check is None or f.check == check))

    @property
    def ok(self) -> bool:
        """No failed check and no invalid document."""
        return self.count(CheckOutcome.FAIL) == 0 and all(v.valid for v in self.validations)
