"""Weighted scoring of outcomes, per element and overall (0-100).

For each applicable criterion of the profile (``not_applicable`` ones are left out):

    credit = weight x status credit (met 1, partially_met 0.5, else 0) x basis factor

with basis factor 1 for verified or observed evidence, ``attested_share`` (default 0.5) for
a vendor claim, 0 for nothing. A score is earned credit over the maximum (all weights).
Confidence is the share of the earned credit that rests on verified or observed evidence.
A must-have that is ``not_met`` is a blocker; one that is not evidenced or only partially
met is a pending must-have.
"""

from __future__ import annotations

from collections.abc import Sequence

from otvet.model import (
    Basis,
    Blocker,
    Catalog,
    CriterionOutcome,
    ElementScore,
    FollowUp,
    Profile,
    Scores,
    Status,
)


def basis_factor(basis: Basis, attested_share: float) -> float:
    """How much of a status's credit a basis earns."""
    if basis.is_evidence:
        return 1.0
    if basis is Basis.ATTESTED:
        return attested_share
    return 0.0


def _tally(outcomes: Sequence[CriterionOutcome], attested_share: float) -> tuple[float, float, float]:
    points = maximum = evidenced = 0.0
    for o in outcomes:
        if o.status is Status.NOT_APPLICABLE:
            continue
        maximum += o.weight
        earned = o.weight * o.status.credit * basis_factor(o.basis, attested_share)
        points += earned
        if o.basis.is_evidence:
            evidenced += earned
    return points, maximum, evidenced


def score(catalog: Catalog, profile: Profile, outcomes: Sequence[CriterionOutcome]) -> Scores:
    """Per-element and overall scores."""
    share = profile.attested_share
    elements = []
    for element in catalog.elements:
        mine = [o for o in outcomes if catalog.criterion(o.criterion_id).element == element.key]
        points, maximum, evidenced = _tally(mine, share)
        elements.append(
            ElementScore(
                element=element.key,
                name=element.name,
                score=round(100 * points / maximum, 1) if maximum else None,
                confidence=round(evidenced / points, 3) if points else (0.0 if maximum else None),
                points=round(points, 3),
                max_points=maximum,
                criteria=len(mine),
                met=sum(o.status is Status.MET for o in mine),
                partially_met=sum(o.status is Status.PARTIALLY_MET for o in mine),
                not_met=sum(o.status is Status.NOT_MET for o in mine),
                not_evidenced=sum(o.status is Status.NOT_EVIDENCED for o in mine),
                not_applicable=sum(o.status is Status.NOT_APPLICABLE for o in mine),
            )
        )
    points, maximum, evidenced = _tally(outcomes, share)
    applicable = [o for o in outcomes if o.status is not Status.NOT_APPLICABLE]
    decided_by_evidence = sum(1 for o in applicable if o.basis.is_evidence)
    return Scores(
        overall=round(100 * points / maximum, 1) if maximum else 0.0,
        confidence=round(evidenced / points, 3) if points else 0.0,
        verified_share=round(decided_by_evidence / len(applicable), 3) if applicable else 0.0,
        elements=tuple(elements),
        attested_share=share,
    )


def blockers(
    catalog: Catalog, outcomes: Sequence[CriterionOutcome]
) -> tuple[tuple[Blocker, ...], tuple[Blocker, ...]]:
    """(blockers, pending must-haves)."""
    found, pending = [], []
    for o in outcomes:
        if not o.must_have:
            continue
        title = catalog.criterion(o.criterion_id).title
        if o.status is Status.NOT_MET:
            found.append(
                Blocker(
                    o.criterion_id, title, o.status, f"Must-have not met ({o.basis.value}): {o.rationale}"
                )
            )
        elif o.status is Status.NOT_EVIDENCED:
            pending.append(
                Blocker(
                    o.criterion_id, title, o.status, "Must-have not evidenced: ask the vendor for evidence."
                )
            )
        elif o.status is Status.PARTIALLY_MET:
            pending.append(
                Blocker(o.criterion_id, title, o.status, f"Must-have only partially met: {o.rationale}")
            )
    return tuple(found), tuple(pending)


def follow_ups(catalog: Catalog, outcomes: Sequence[CriterionOutcome]) -> tuple[FollowUp, ...]:
    """Questions to put back to the vendor: unsettled, partial, contradicted or claim-only must-haves."""
    questions = []
    for o in outcomes:
        criterion = catalog.criterion(o.criterion_id)
        kinds = ", ".join(k.value.replace("_", " ") for k in criterion.evidence)
        if o.contradiction:
            questions.append(
                FollowUp(
                    o.criterion_id, f"{criterion.question} Please explain the discrepancy.", o.contradiction
                )
            )
        elif o.status is Status.NOT_EVIDENCED:
            reason = "No answer and no evidence." if o.claim is None else o.rationale
            questions.append(
                FollowUp(o.criterion_id, f"{criterion.question} Please provide evidence ({kinds}).", reason)
            )
        elif o.status is Status.PARTIALLY_MET:
            questions.append(
                FollowUp(
                    o.criterion_id,
                    f"{criterion.question} What is missing, and by when will it be fully met?",
                    o.rationale,
                )
            )
        elif o.must_have and o.basis is Basis.ATTESTED and o.status is Status.MET:
            questions.append(
                FollowUp(
                    o.criterion_id,
                    f"{criterion.question} Please provide evidence ({kinds}) for this must-have.",
                    "Must-have met by claim only.",
                )
            )
    return tuple(questions)
