"""The analyzer interface: one required method.

An analyzer looks at an evidence bundle and returns :class:`~otvet.model.AnalyzerOutput`:
criterion results (with their basis: ``verified`` for checked evidence, ``observed`` for the
lab probe, ``attested`` for vendor claims), report sections and input problems.

Rules every analyzer follows:

- "Could not check" is a value, never a silent skip: when evidence of a kind the analyzer
  reads is present but unusable, it returns ``not_evidenced`` results with the reason, and
  problems naming the file and location.
- When its evidence kind is absent from the bundle, it returns nothing for those criteria;
  the orchestrator then reports them as not evidenced ("no evidence in the bundle").
- It raises only for bugs. Bad input is reported, not raised; the orchestrator still guards
  against crashes and reports a crashed analyzer's criteria as not evidenced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from otvet.model import (
    AnalyzerOutput,
    Basis,
    Catalog,
    CriterionId,
    CriterionResult,
    EvidenceBundle,
    EvidenceRef,
    Profile,
    Status,
)
from otvet.model.updates import VerificationReport
from otvet.model.vulnerabilities import VulnerabilityKnowledge
from otvet.safeio import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class AnalysisContext:
    """What every analyzer may use besides the bundle."""

    catalog: Catalog
    profile: Profile
    now: datetime
    """The assessment time (timezone-aware); analyzers never read the clock themselves."""
    limits: Limits = DEFAULT_LIMITS
    options: Mapping[str, str] = field(default_factory=dict)
    """User options, e.g. ``planned_service_life_years``."""
    knowledge: VulnerabilityKnowledge | None = None
    """The offline vulnerability knowledge base, when it holds data (passed in by the
    orchestrator; analyzers never open it themselves)."""
    reverified: tuple[VerificationReport, ...] = ()
    """The bundle's update packages, verified by the orchestrator during this assessment
    against the buyer's own trust store (only when it holds entries for the bundle's vendor;
    ADR 0071). Each report names its package by bundle path and SHA-256."""


class Analyzer(Protocol):
    """Checks claims against evidence for some criteria."""

    id: ClassVar[str]
    """Stable id, e.g. ``questionnaire``, ``sbom_quality``."""
    version: ClassVar[str]
    """Bumped whenever verdict logic changes (recorded in the assessment provenance)."""
    title: ClassVar[str]
    criteria: ClassVar[tuple[str, ...]]
    """Criteria the analyzer can decide (empty: any, e.g. the questionnaire). If the analyzer
    crashes, these are reported as not evidenced with the error as the reason."""

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        """Analyse the bundle."""
        ...


def result(
    criterion_id: str,
    status: Status,
    basis: Basis,
    rationale: str,
    analyzer: str,
    evidence: tuple[EvidenceRef, ...] = (),
) -> CriterionResult:
    """Shorthand for a :class:`CriterionResult`."""
    return CriterionResult(
        criterion_id=CriterionId(criterion_id),
        status=status,
        basis=basis,
        rationale=rationale,
        analyzer=analyzer,
        evidence=evidence,
    )


def not_evidenced(
    criterion_ids: tuple[str, ...] | list[str],
    reason: str,
    analyzer: str,
    evidence: tuple[EvidenceRef, ...] = (),
) -> tuple[CriterionResult, ...]:
    """ "Could not check" results for several criteria, with the reason."""
    return tuple(
        result(cid, Status.NOT_EVIDENCED, Basis.NONE, reason, analyzer, evidence) for cid in criterion_ids
    )
