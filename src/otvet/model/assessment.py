"""The assessment: a scored verdict on one product under one profile, with its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from otvet.model.catalog import CriterionId, ElementKey
from otvet.model.evidence import DataSetRef, EvidenceArtifact, Problem, ProductIdentity
from otvet.model.results import CriterionOutcome, Section, Status

ASSESSMENT_SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class ElementScore:
    """Score of one element (0-100) and how much of it rests on evidence."""

    element: ElementKey
    name: str
    score: float | None
    """None when no selected criterion of the element is applicable."""
    confidence: float | None
    """Share (0-1) of the earned points that rest on verified or observed evidence."""
    points: float
    max_points: float
    criteria: int
    met: int
    partially_met: int
    not_met: int
    not_evidenced: int
    not_applicable: int


@dataclass(frozen=True)
class Scores:
    """Overall and per-element scores."""

    overall: float
    """0-100 over all selected, applicable criteria."""
    confidence: float
    """Share (0-1) of the earned points that rest on verified or observed evidence."""
    verified_share: float
    """Share (0-1) of the selected criteria decided by verified or observed evidence."""
    elements: tuple[ElementScore, ...]
    attested_share: float
    """The credit share an attestation earned in this scoring."""


@dataclass(frozen=True)
class Blocker:
    """A must-have criterion the product does not satisfy."""

    criterion_id: CriterionId
    title: str
    status: Status
    reason: str


@dataclass(frozen=True)
class AnalyzerRun:
    """One analyzer that ran, with its version and outcome counts."""

    id: str
    version: str
    results: int
    problems: int
    error: str | None = None
    """Set when the analyzer crashed; its criteria are then reported as not evidenced."""


@dataclass(frozen=True)
class Provenance:
    """How the assessment was made: tool, catalog, data and time."""

    otvet_version: str
    catalog_id: str
    catalog_version: str
    profile_id: str
    profile_source: str
    generated_at: datetime
    bundle_source: str
    analyzers: tuple[AnalyzerRun, ...] = ()
    data_sets: tuple[DataSetRef, ...] = ()


@dataclass(frozen=True)
class FollowUp:
    """A question to put back to the vendor for a criterion that is not settled."""

    criterion_id: CriterionId
    question: str
    reason: str


@dataclass(frozen=True)
class Assessment:
    """A scored Secure by Demand assessment of one product version."""

    schema_version: str
    product: ProductIdentity
    profile_id: str
    profile_title: str
    outcomes: tuple[CriterionOutcome, ...]
    scores: Scores
    blockers: tuple[Blocker, ...]
    pending_must_haves: tuple[Blocker, ...]
    """Must-haves that are not evidenced either way: not blockers yet, but decisive open points."""
    follow_ups: tuple[FollowUp, ...]
    artifacts: tuple[EvidenceArtifact, ...]
    problems: tuple[Problem, ...]
    sections: tuple[Section, ...]
    provenance: Provenance

    @property
    def contradictions(self) -> tuple[CriterionOutcome, ...]:
        """Outcomes where evidence contradicts the vendor's claim."""
        return tuple(o for o in self.outcomes if o.contradiction)

    def outcome(self, criterion_id: str) -> CriterionOutcome:
        """The outcome for a criterion; ``KeyError`` if it was not assessed."""
        for outcome in self.outcomes:
            if outcome.criterion_id == criterion_id:
                return outcome
        raise KeyError(criterion_id)
