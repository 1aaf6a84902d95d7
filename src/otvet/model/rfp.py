"""Procurement requirements derived from the catalog: numbered "shall" clauses and contract clauses."""

from __future__ import annotations

from dataclasses import dataclass

from otvet.model.catalog import CriterionId, Method


@dataclass(frozen=True)
class RequirementClause:
    """One numbered technical requirement (a criterion of the profile)."""

    number: str
    """Clause number, ``<element>.<n>`` (e.g. ``11.3``)."""
    criterion_id: CriterionId
    title: str
    text: str
    """The "shall" sentence."""
    must_have: bool
    weight: int
    methods: tuple[Method, ...]
    verification: tuple[str, ...]
    """How the buyer verifies it, one readable line per method."""
    evidence: tuple[str, ...]
    """What the vendor must deliver, one readable phrase per evidence kind."""
    question: str


@dataclass(frozen=True)
class RequirementSection:
    """The clauses of one Secure by Demand element."""

    number: int
    name: str
    selection_criterion: str
    clauses: tuple[RequirementClause, ...]


@dataclass(frozen=True)
class ContractClause:
    """A clause for the purchase contract (support, patches, SBOM, disclosure, testing, ...)."""

    number: str
    title: str
    paragraphs: tuple[str, ...]
    """Text with placeholders in square brackets for the buyer to fill (``[10] years``)."""
    criteria: tuple[CriterionId, ...] = ()
    """Catalog criteria the clause makes contractual."""


@dataclass(frozen=True)
class RfpDocument:
    """Everything the RFP outputs render."""

    title: str
    profile_id: str
    profile_title: str
    profile_description: str
    catalog_id: str
    catalog_version: str
    source_title: str
    sections: tuple[RequirementSection, ...]
    contract: tuple[ContractClause, ...]
    instructions: tuple[str, ...]

    @property
    def clauses(self) -> tuple[RequirementClause, ...]:
        """Every technical clause, in order."""
        return tuple(c for s in self.sections for c in s.clauses)
