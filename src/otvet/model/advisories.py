"""Advisory findings: which published advisories (CSAF) say something about a product version.

The knowledge base stores imported CSAF advisories (``otvet db import csaf``) and answers
"which advisories speak about this product version?" with :class:`AdvisoryReport`; the CSAF
analyzer builds the same :class:`AdvisoryFinding` rows from the bundle's own advisories, so
one table and one set of verdict rules (ADR 0047) cover both.

Every finding carries the resolver's verdict and confidence (ADR 0041), the remediations that
name the product (so "is there a fix or a mitigation?" has an answer), and where it came from:
the document, its sha256, and for stored advisories the data set and import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otvet.model.csaf import CsafProduct, MatchConfidence, MatchVerdict, Remediation
from otvet.model.evidence import DataSetRef, Problem
from otvet.model.vex import VexStatus

FIX_CATEGORIES = ("vendor_fix",)
"""CSAF remediation categories that deliver a fix (CSAF 2.0 section 3.2.3.12)."""
MITIGATION_CATEGORIES = ("mitigation", "workaround")
"""CSAF remediation categories that reduce the risk without fixing the flaw."""
NO_FIX_CATEGORIES = ("none_available", "no_fix_planned")
"""CSAF remediation categories that say there is no fix (now, or ever)."""


@dataclass(frozen=True)
class AdvisoryFinding:
    """One product status of one advisory vulnerability that concerns the product version."""

    advisory_id: str
    """``document.tracking.id``."""
    title: str
    publisher: str
    publisher_namespace: str | None
    category: str
    """``csaf_security_advisory``, ``csaf_vex``, ..."""
    initial_release_date: datetime | None
    current_release_date: datetime | None
    valid: bool
    """Whether the document passed the CSAF schema and the mandatory tests when it was read."""
    cve: str | None
    vulnerability_ids: tuple[str, ...]
    """Other identifiers of the vulnerability (``system_name: text``)."""
    vulnerability_title: str | None
    cwe: str | None
    """``CWE-id name``."""
    release_date: datetime | None
    """The vulnerability's ``release_date`` when the advisory gives one, else the advisory's
    initial release date: the day the flaw was public."""
    status: str
    """The CSAF product_status key: ``known_affected``, ``fixed``, ``known_not_affected``, ..."""
    vex_status: VexStatus
    product: CsafProduct
    verdict: MatchVerdict
    """``match`` or ``undecided`` (``no_match`` findings are not reported)."""
    confidence: MatchConfidence
    reason: str
    """How the resolver matched the advisory product to the product under assessment."""
    cvss_score: float | None = None
    cvss_vector: str | None = None
    base_severity: str | None = None
    kev: bool = False
    """The CVE is in the imported CISA KEV catalog."""
    remediations: tuple[Remediation, ...] = ()
    """The vulnerability's remediations that name this product (group ids expanded)."""
    justification: str | None = None
    """The VEX justification flag of a ``known_not_affected`` product."""
    origin: str = "knowledge base"
    """``knowledge base`` (imported with ``otvet db import csaf``) or ``bundle``."""
    document: str = ""
    """Path of the CSAF file: relative to the imported directory, or to the bundle root."""
    document_sha256: str | None = None
    data_set: str | None = None
    """``#id name`` of the knowledge-base data set (see ``otvet db status``)."""
    imported_at: datetime | None = None
    location: str = ""
    """JSON pointer of the product status entry inside the document."""

    @property
    def affected(self) -> bool:
        """Whether the advisory says the product is affected."""
        return self.vex_status is VexStatus.AFFECTED

    @property
    def fixes(self) -> tuple[Remediation, ...]:
        """Vendor fixes (an update or a fixed version) for this product."""
        return tuple(r for r in self.remediations if r.category in FIX_CATEGORIES)

    @property
    def mitigations(self) -> tuple[Remediation, ...]:
        """Mitigations and workarounds for this product."""
        return tuple(r for r in self.remediations if r.category in MITIGATION_CATEGORIES)

    @property
    def no_fix_planned(self) -> bool:
        """Whether the vendor says it will not fix the flaw in this product."""
        return any(r.category == "no_fix_planned" for r in self.remediations)

    @property
    def decided(self) -> bool:
        """A match strong enough to decide a verdict (``exact`` or ``parsed_range``)."""
        return (
            self.verdict is MatchVerdict.MATCH and self.confidence.rank >= MatchConfidence.PARSED_RANGE.rank
        )


@dataclass(frozen=True)
class AdvisoryReport:
    """What the knowledge base knows about one product version from stored advisories."""

    product: str
    """Label of the product identity that was looked up."""
    findings: tuple[AdvisoryFinding, ...]
    advisories_examined: int
    """Stored advisories of the same vendor (or naming the product's identifiers) examined."""
    data_sets: tuple[DataSetRef, ...]
    """The CSAF data sets in the store (what the answer rests on)."""
    problems: tuple[Problem, ...] = ()
