"""Verdict types: what an analyzer concludes about a criterion, and on what basis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from otvet.model.catalog import CriterionId
from otvet.model.evidence import DataSetRef, EvidenceRef, Problem


class Status(StrEnum):
    """How well a criterion is satisfied."""

    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"
    NOT_EVIDENCED = "not_evidenced"
    """Nothing shows either way: no evidence and no answer, or evidence that could not be read."""
    NOT_APPLICABLE = "not_applicable"

    @property
    def credit(self) -> float:
        """Share of a criterion's weight this status earns (``met`` 1, ``partially_met`` 0.5)."""
        return _CREDIT[self]


_CREDIT = {
    Status.MET: 1.0,
    Status.PARTIALLY_MET: 0.5,
    Status.NOT_MET: 0.0,
    Status.NOT_EVIDENCED: 0.0,
    Status.NOT_APPLICABLE: 0.0,
}


class Basis(StrEnum):
    """What a verdict rests on, strongest first."""

    VERIFIED = "verified"
    """An analyzer checked evidence (a document, a signature, an SBOM)."""
    OBSERVED = "observed"
    """The lab probe saw it on the device."""
    ATTESTED = "attested"
    """Only the vendor's claim."""
    NONE = "none"

    @property
    def rank(self) -> int:
        """Higher is stronger: verified and observed outrank attested."""
        return _RANK[self]

    @property
    def is_evidence(self) -> bool:
        """Verified or observed, i.e. more than a claim."""
        return self in (Basis.VERIFIED, Basis.OBSERVED)


_RANK = {Basis.VERIFIED: 3, Basis.OBSERVED: 3, Basis.ATTESTED: 1, Basis.NONE: 0}


@dataclass(frozen=True)
class CriterionResult:
    """One analyzer's verdict on one criterion."""

    criterion_id: CriterionId
    status: Status
    basis: Basis
    rationale: str
    """Why, in a sentence an operator understands; cite counts and files."""
    analyzer: str
    """Id of the producing analyzer."""
    evidence: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class CriterionOutcome:
    """The resolved verdict on a criterion, combining every analyzer's result.

    Verified and observed results outrank attestations; when they disagree with the
    vendor's claim, both are kept and :attr:`contradiction` says how.
    """

    criterion_id: CriterionId
    status: Status
    basis: Basis
    rationale: str
    analyzer: str | None
    evidence: tuple[EvidenceRef, ...]
    weight: int
    must_have: bool
    claim: CriterionResult | None = None
    """The vendor's attestation, if any (kept even when evidence decided)."""
    supporting: tuple[CriterionResult, ...] = ()
    """Every analyzer result that went into the outcome (including the deciding one)."""
    contradiction: str | None = None
    """Set when evidence contradicts the vendor's claim."""


@dataclass(frozen=True)
class Cell:
    """A table cell of a report section: text, with an optional status for colouring."""

    text: str
    status: Status | None = None


@dataclass(frozen=True)
class Table:
    """A table an analyzer contributes to the report (rendered the same in HTML and JSON)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str | None = None


@dataclass(frozen=True)
class Section:
    """A report section contributed by an analyzer (e.g. SBOM quality, vulnerability matches)."""

    id: str
    title: str
    analyzer: str
    summary: str
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    """Machine-readable details, carried as-is into the JSON report."""


@dataclass(frozen=True)
class AnalyzerOutput:
    """Everything one analyzer produced for one bundle."""

    results: tuple[CriterionResult, ...] = ()
    sections: tuple[Section, ...] = ()
    problems: tuple[Problem, ...] = ()
    data_sets: tuple[DataSetRef, ...] = ()
    """Data sets the results rest on (vulnerability database imports, advisory sets)."""
