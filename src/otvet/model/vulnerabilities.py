"""Vulnerability knowledge types: matches of SBOM components against imported data sets.

The knowledge base (``otvet.knowledge``) produces these; the vulnerability analyzer and the
``otvet vulns`` command consume them. The analyzer reaches the knowledge base only through
the :class:`VulnerabilityKnowledge` protocol, which the orchestrator passes in (a stage never
imports another stage).

Every match says on what basis it was made (:class:`MatchBasis`), which range or version
list matched, and which imported data set it came from, so an operator can check it by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from otvet.model.advisories import AdvisoryReport
from otvet.model.components import Component, SbomDocument
from otvet.model.evidence import DataSetRef, Problem, ProductIdentity
from otvet.model.vex import VexJustification, VexStatement, VexStatus


class MatchBasis(StrEnum):
    """How a component was matched to a vulnerability record."""

    PURL_RANGE = "purl-range"
    """The component's purl names the package of an OSV record, and its version lies in one of
    the record's ranges, compared with the ecosystem's version rules."""
    PURL_EXPLICIT_VERSION = "purl-explicit-version"
    """The component's purl names the package, and its version is listed verbatim in the
    record's ``versions``."""
    CPE_RANGE = "cpe-range"
    """The component's CPE matches an NVD criterion (same part, vendor, product; NISTIR 7696
    rules for the other attributes) whose version range contains the component's version."""
    CPE_EXACT = "cpe-exact"
    """The component's CPE matches an NVD criterion that names its version exactly."""


class SeverityRating(StrEnum):
    """Qualitative severity (CVSS v3/v4 rating scale)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Higher is worse; ``unknown`` ranks below ``low``."""
        return _SEVERITY_RANK[self]

    @classmethod
    def from_score(cls, score: float | None) -> SeverityRating:
        """The CVSS v3 rating of a base score."""
        if score is None:
            return cls.UNKNOWN
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.NONE


_SEVERITY_RANK = {
    SeverityRating.CRITICAL: 5,
    SeverityRating.HIGH: 4,
    SeverityRating.MEDIUM: 3,
    SeverityRating.LOW: 2,
    SeverityRating.UNKNOWN: 1,
    SeverityRating.NONE: 0,
}


@dataclass(frozen=True)
class MatchEvidence:
    """One record that matched a component, and why."""

    record_id: str
    """Id of the matching record in its data set (``GHSA-...``, ``PYSEC-...``, ``CVE-...``)."""
    basis: MatchBasis
    matched_on: str
    """The component identifier that matched: its purl or CPE."""
    range: str
    """The range or version list that matched, as text (``introduced 0, fixed 1.6.0``,
    ``cpe:2.3:a:zlib:zlib:*:... versionEndIncluding 1.2.12``, ``listed version 1.0.1``)."""
    data_set: str
    """Name of the imported data set the record came from (see ``otvet db status``)."""
    source: str
    """Data source: ``osv``, ``nvd``."""
    note: str | None = None
    """Caveats: a version fallback, a platform condition of an NVD configuration, ..."""


@dataclass(frozen=True)
class VexApplication:
    """A VEX statement applied to one (vulnerability, component) pair."""

    status: VexStatus
    justification: VexJustification | None
    source: str
    """Document the statement came from."""
    location: str
    format: str
    scope: str
    """``component`` (the statement names the component) or ``product`` (it names the
    product that contains the component)."""
    detail: str | None = None
    """Impact or action statement of the VEX document."""
    statement_vulnerability: str = ""
    """The vulnerability id as the statement wrote it (may be an alias of the reported id)."""
    confidence: str | None = None
    """For CSAF statements matched by vendor, name and version (no identifier): the resolver's
    confidence (``exact``, ``parsed_range``, ``heuristic``; ADR 0046)."""
    match_reason: str | None = None
    """How a CSAF statement's product was matched to the component or product."""


@dataclass(frozen=True)
class VulnerabilityMatch:
    """One vulnerability in one component, with aliases merged and every basis kept."""

    vulnerability: str
    """Display id: the CVE when one is known, else the first record id."""
    aliases: tuple[str, ...]
    """Every other id of the same vulnerability (CVE, GHSA, PYSEC, GO, ...)."""
    component_ref: str
    component: str
    """``name@version`` of the component."""
    component_location: str
    sbom: str
    """Path of the SBOM the component was read from."""
    evidence: tuple[MatchEvidence, ...]
    severity: SeverityRating = SeverityRating.UNKNOWN
    cvss_score: float | None = None
    cvss_vector: str | None = None
    epss: float | None = None
    """EPSS probability of exploitation activity in the next 30 days (0-1)."""
    epss_percentile: float | None = None
    kev: bool = False
    """Listed in the CISA Known Exploited Vulnerabilities catalog."""
    kev_date_added: str | None = None
    kev_ransomware: str | None = None
    fixed_versions: tuple[str, ...] = ()
    summary: str | None = None
    published: datetime | None = None
    vex: VexApplication | None = None
    vex_conflicts: tuple[str, ...] = ()
    """Other applicable statements that disagreed with the chosen one."""
    vex_review: tuple[str, ...] = ()
    """CSAF statements that may concern this finding but could not be decided (a version range
    that needs review, or a favourable status matched only heuristically): not applied, listed
    for a person to check (ADR 0046)."""

    @property
    def basis(self) -> MatchBasis:
        """The basis of the first (strongest) piece of evidence."""
        return self.evidence[0].basis

    @property
    def resolved_by_vex(self) -> bool:
        """Whether a VEX statement says the component is not affected or fixed."""
        return self.vex is not None and self.vex.status in (VexStatus.NOT_AFFECTED, VexStatus.FIXED)

    @property
    def ids(self) -> tuple[str, ...]:
        """The display id followed by the aliases."""
        return (self.vulnerability, *self.aliases)


@dataclass(frozen=True)
class Unmatchable:
    """A component that could not be checked against any data set, and why."""

    component_ref: str
    component: str
    component_location: str
    sbom: str
    reason: str


@dataclass(frozen=True)
class MatchReport:
    """Everything one matching run found for one SBOM."""

    sbom: str
    components: int
    """Components examined (including unmatchable ones)."""
    matches: tuple[VulnerabilityMatch, ...]
    unmatchable: tuple[Unmatchable, ...]
    data_sets: tuple[DataSetRef, ...]
    """Data sets in the store when matching ran (what the verdict rests on)."""
    problems: tuple[Problem, ...] = ()
    """VEX statements that applied to nothing, conflicting statements, version fallbacks."""
    unused_statements: tuple[VexStatement, ...] = ()


class VulnerabilityKnowledge(Protocol):
    """The knowledge base service the vulnerability analyzer needs (implemented by
    ``otvet.knowledge.KnowledgeBase``; passed in by the orchestrator)."""

    def has_data(self) -> bool:
        """Whether any vulnerability data set (OSV or NVD) has been imported."""
        ...

    def data_sets(self, now: datetime) -> tuple[DataSetRef, ...]:
        """The imported data sets, with their age at ``now``."""
        ...

    def match(
        self,
        sbom: SbomDocument,
        statements: Sequence[VexStatement] = (),
        *,
        now: datetime,
        product: ProductIdentity | None = None,
    ) -> MatchReport:
        """Match every component of ``sbom`` and apply the VEX ``statements`` (``product``, the
        product under assessment, lets CSAF statements that name it by vendor, name and version
        apply to its components)."""
        ...

    def known_exploited(self, cves: Iterable[str]) -> frozenset[str]:
        """The given CVE ids that the imported CISA KEV catalog lists."""
        ...

    def has_advisories(self) -> bool:
        """Whether any CSAF advisory has been imported."""
        ...

    def advisories(
        self, product: ProductIdentity, components: Sequence[Component] = (), *, now: datetime
    ) -> AdvisoryReport:
        """Stored advisories that speak about this product version (``components`` add their
        purls and CPEs as identifiers)."""
        ...


@dataclass(frozen=True)
class ImportReport:
    """What one ``otvet db import`` did."""

    source: str
    """``osv``, ``nvd``, ``kev``, ``epss``."""
    path: str
    sha256: str
    records: int = 0
    """Records read (valid ones)."""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    """Records older than the stored copy (the stored one was kept)."""
    problems: tuple[Problem, ...] = ()
    """Malformed records and refused files, each with file and record id (the import went on)."""
    problem_count: int = 0
    """All problems, including those beyond the ones kept in :attr:`problems`."""
    already_imported: bool = False
    """The same input (same sha256) was imported before: nothing was changed."""
    data_set_id: int | None = None
    data_date: datetime | None = None
    note: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the store changed."""
        return bool(self.added or self.updated)


@dataclass(frozen=True)
class VexDocument:
    """A VEX document read into statements (OpenVEX, CycloneDX VEX, CSAF VEX)."""

    path: str
    format: str
    """``openvex``, ``cyclonedx``, ``csaf``."""
    statements: tuple[VexStatement, ...]
    problems: tuple[Problem, ...] = ()
    """Statements that could not be read or break the format's rules (the rest is used)."""
