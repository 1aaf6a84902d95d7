"""Resolve every analyzer's results into one outcome per criterion.

Rules (docs/adr/0003-verdict-resolution.md):

1. Verified and observed results outrank attestations. Among several, the most conservative
   status decides (``not_met`` < ``partially_met`` < ``met`` < ``not_applicable``).
2. A verified/observed ``not_evidenced`` ("could not check") never outranks a claim, but its
   reason is kept in the rationale.
3. When evidence decides and shows less than the vendor's claim (or finds lacking what the vendor
   called not applicable), both are kept and the outcome carries a contradiction. Evidence that
   shows more than a cautious claim is noted in the rationale, not flagged.
4. A criterion nobody spoke about is ``not_evidenced`` with the reason "no evidence in the
   bundle and no vendor answer".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from otvet.model import Basis, Catalog, CriterionOutcome, CriterionResult, Profile, Status

_SEVERITY = {
    Status.NOT_MET: 0,
    Status.PARTIALLY_MET: 1,
    Status.MET: 2,
    Status.NOT_APPLICABLE: 3,
    Status.NOT_EVIDENCED: 4,
}

NO_EVIDENCE = "No evidence in the bundle and no vendor answer."


def _worst(results: list[CriterionResult]) -> CriterionResult:
    return min(results, key=lambda r: (_SEVERITY[r.status], -r.basis.rank))


_GOODNESS = {Status.NOT_MET: 0, Status.PARTIALLY_MET: 1, Status.MET: 2}


def _overstated(claimed: Status, shown: Status) -> bool:
    """Whether a claim promises more than the evidence shows (a contradiction worth flagging).

    Evidence that shows *more* than the claim (a cautious vendor) is noted, not flagged; a claim of
    "not applicable" that evidence finds lacking (e.g. an SNMP agent the vendor said was absent) is
    flagged.
    """
    if shown not in _GOODNESS:
        return False
    if claimed not in _GOODNESS:
        return claimed is Status.NOT_APPLICABLE and shown is not Status.MET
    return _GOODNESS[claimed] > _GOODNESS[shown]


def _label(status: Status) -> str:
    return status.value.replace("_", " ")


def resolve(
    catalog: Catalog, profile: Profile, results: Iterable[CriterionResult]
) -> tuple[CriterionOutcome, ...]:
    """One outcome per criterion of the profile, in catalog order."""
    by_criterion: dict[str, list[CriterionResult]] = defaultdict(list)
    for item in results:
        by_criterion[item.criterion_id].append(item)
    outcomes = []
    for cid in profile.criteria:
        criterion = catalog.criterion(cid)
        items = by_criterion.get(cid, [])
        claims = [r for r in items if r.basis is Basis.ATTESTED]
        # Several vendor claims (questionnaire, vendor-shipped probe run or verification report):
        # the most conservative one stands for the vendor, the others are quoted.
        claim = _worst(claims) if claims else None
        decisive = [r for r in items if r.basis.is_evidence and r.status is not Status.NOT_EVIDENCED]
        unchecked = [r for r in items if r.status is Status.NOT_EVIDENCED]
        contradiction = None
        if decisive:
            decider = _worst(decisive)
            rationale = decider.rationale
            others = [r for r in decisive if r is not decider and r.status is not decider.status]
            if others:
                rationale += " Other evidence: " + " ".join(
                    f"[{r.analyzer}: {_label(r.status)}] {r.rationale}" for r in others
                )
            if claim is not None and claim.status is not decider.status:
                if _overstated(claim.status, decider.status):
                    contradiction = (
                        f"Vendor claims '{_label(claim.status)}', but {decider.basis.value} evidence shows "
                        f"'{_label(decider.status)}' ({decider.analyzer})."
                    )
                else:
                    rationale += f" (The vendor answered '{_label(claim.status)}'; the evidence shows more.)"
            status, basis, analyzer, evidence = (
                decider.status,
                decider.basis,
                decider.analyzer,
                decider.evidence,
            )
        elif claim is not None:
            rationale = claim.rationale
            other_claims = [r for r in claims if r is not claim and r.status is not claim.status]
            if other_claims:
                rationale += " Other vendor claims: " + " ".join(
                    f"[{r.analyzer}: {_label(r.status)}] {r.rationale}" for r in other_claims
                )
            if unchecked:
                rationale += " Could not be verified: " + " ".join(r.rationale for r in unchecked)
            status, basis, analyzer, evidence = claim.status, Basis.ATTESTED, claim.analyzer, claim.evidence
        elif unchecked:
            first = unchecked[0]
            rationale = " ".join(r.rationale for r in unchecked)
            status, basis, analyzer = Status.NOT_EVIDENCED, Basis.NONE, first.analyzer
            evidence = tuple(ref for r in unchecked for ref in r.evidence)
        else:
            rationale, status, basis, analyzer, evidence = (
                NO_EVIDENCE,
                Status.NOT_EVIDENCED,
                Basis.NONE,
                None,
                (),
            )
        outcomes.append(
            CriterionOutcome(
                criterion_id=cid,
                status=status,
                basis=basis,
                rationale=rationale,
                analyzer=analyzer,
                evidence=evidence,
                weight=profile.weight_of(criterion),
                must_have=cid in profile.must_have,
                claim=claim,
                supporting=tuple(items),
                contradiction=contradiction,
            )
        )
    return tuple(outcomes)
