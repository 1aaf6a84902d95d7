"""Resolution of analyzer results and scoring properties."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from otvet.catalog import load_catalog, load_profile
from otvet.model import Basis, CriterionId, CriterionOutcome, CriterionResult, Status
from otvet.scoring import NO_EVIDENCE, blockers, resolve, score

CATALOG = load_catalog()
STANDARD = load_profile("standard", CATALOG)


def r(cid: str, status: Status, basis: Basis, analyzer: str = "a") -> CriterionResult:
    return CriterionResult(CriterionId(cid), status, basis, f"{analyzer} says {status.value}", analyzer)


def test_verified_outranks_attested_and_the_contradiction_is_kept() -> None:
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-06.01", Status.MET, Basis.ATTESTED, "questionnaire"),
            r("SBD-06.01", Status.NOT_MET, Basis.OBSERVED, "probe"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-06.01")
    assert (o.status, o.basis, o.analyzer) == (Status.NOT_MET, Basis.OBSERVED, "probe")
    assert o.claim is not None and o.claim.status is Status.MET
    assert o.contradiction is not None and "Vendor claims 'met'" in o.contradiction
    assert len(o.supporting) == 2


def test_could_not_check_never_outranks_a_claim_but_is_explained() -> None:
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-11.01", Status.MET, Basis.ATTESTED, "questionnaire"),
            r("SBD-11.01", Status.NOT_EVIDENCED, Basis.NONE, "sbom"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-11.01")
    assert (o.status, o.basis) == (Status.MET, Basis.ATTESTED)
    assert "Could not be verified" in o.rationale
    assert o.contradiction is None


def test_the_most_conservative_evidence_decides() -> None:
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-06.04", Status.MET, Basis.VERIFIED, "config"),
            r("SBD-06.04", Status.PARTIALLY_MET, Basis.OBSERVED, "probe"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-06.04")
    assert o.status is Status.PARTIALLY_MET and "Other evidence" in o.rationale


def test_silence_is_not_evidenced() -> None:
    outcomes = resolve(CATALOG, STANDARD, [])
    assert len(outcomes) == len(STANDARD.criteria)
    assert all(o.status is Status.NOT_EVIDENCED and o.rationale == NO_EVIDENCE for o in outcomes)
    scores = score(CATALOG, STANDARD, outcomes)
    assert scores.overall == 0.0 and scores.confidence == 0.0
    found, pending = blockers(CATALOG, outcomes)
    assert found == () and {b.criterion_id for b in pending} == STANDARD.must_have


STATUS = st.sampled_from(
    [Status.MET, Status.PARTIALLY_MET, Status.NOT_MET, Status.NOT_EVIDENCED, Status.NOT_APPLICABLE]
)
BASIS = st.sampled_from([Basis.VERIFIED, Basis.OBSERVED, Basis.ATTESTED])


@st.composite
def outcome_sets(draw: st.DrawFn) -> tuple[CriterionOutcome, ...]:
    results = []
    for cid in STANDARD.criteria:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            results.append(r(cid, draw(STATUS), draw(BASIS)))
    return resolve(CATALOG, STANDARD, results)


@settings(max_examples=150, deadline=None)
@given(outcome_sets())
def test_scores_are_bounded(outcomes: tuple[CriterionOutcome, ...]) -> None:
    scores = score(CATALOG, STANDARD, outcomes)
    assert 0.0 <= scores.overall <= 100.0
    assert 0.0 <= scores.confidence <= 1.0
    for element in scores.elements:
        assert element.score is None or 0.0 <= element.score <= 100.0


@settings(max_examples=150, deadline=None)
@given(outcome_sets(), st.data())
def test_meeting_a_criterion_never_lowers_any_score(
    outcomes: tuple[CriterionOutcome, ...], data: st.DataObject
) -> None:
    candidates = [
        i
        for i, o in enumerate(outcomes)
        if o.status in (Status.NOT_MET, Status.NOT_EVIDENCED, Status.PARTIALLY_MET)
    ]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    basis = data.draw(BASIS)
    old = outcomes[index]
    better = list(outcomes)
    # Same or stronger basis, status raised to met.
    new_basis = basis if basis.rank >= old.basis.rank else old.basis
    better[index] = replace(old, status=Status.MET, basis=new_basis)
    before, after = score(CATALOG, STANDARD, outcomes), score(CATALOG, STANDARD, better)
    assert after.overall >= before.overall
    element = CATALOG.criterion(old.criterion_id).element
    b = next(e for e in before.elements if e.element == element)
    a = next(e for e in after.elements if e.element == element)
    assert (a.score or 0) >= (b.score or 0)


@settings(max_examples=150, deadline=None)
@given(outcome_sets())
def test_every_unmet_must_have_is_a_blocker(outcomes: tuple[CriterionOutcome, ...]) -> None:
    found, pending = blockers(CATALOG, outcomes)
    unmet = {o.criterion_id for o in outcomes if o.must_have and o.status is Status.NOT_MET}
    assert {b.criterion_id for b in found} == unmet
    assert not ({b.criterion_id for b in pending} & unmet)


@settings(max_examples=100, deadline=None)
@given(outcome_sets())
def test_attested_credit_is_the_configured_share(outcomes: tuple[CriterionOutcome, ...]) -> None:
    as_verified = [replace(o, basis=Basis.VERIFIED) if o.basis is Basis.ATTESTED else o for o in outcomes]
    claimed = score(CATALOG, STANDARD, outcomes).overall
    proven = score(CATALOG, STANDARD, as_verified).overall
    assert claimed <= proven


def test_evidence_better_than_the_claim_is_noted_not_flagged() -> None:
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-06.04", Status.PARTIALLY_MET, Basis.ATTESTED, "questionnaire"),
            r("SBD-06.04", Status.MET, Basis.OBSERVED, "probe"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-06.04")
    assert (o.status, o.basis) == (Status.MET, Basis.OBSERVED)
    assert o.contradiction is None and "the evidence shows more" in o.rationale


def test_not_applicable_claim_found_lacking_is_a_contradiction() -> None:
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-06.04", Status.NOT_APPLICABLE, Basis.ATTESTED, "questionnaire"),
            r("SBD-06.04", Status.NOT_MET, Basis.OBSERVED, "probe"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-06.04")
    assert o.contradiction is not None and "not applicable" in o.contradiction


def test_the_most_conservative_vendor_claim_stands() -> None:
    # The questionnaire says yes, the vendor's own (shipped, so attested) probe run says no.
    outcomes = resolve(
        CATALOG,
        STANDARD,
        [
            r("SBD-06.01", Status.MET, Basis.ATTESTED, "questionnaire"),
            r("SBD-06.01", Status.NOT_MET, Basis.ATTESTED, "probe"),
        ],
    )
    o = next(x for x in outcomes if x.criterion_id == "SBD-06.01")
    assert (o.status, o.basis, o.analyzer) == (Status.NOT_MET, Basis.ATTESTED, "probe")
    assert "Other vendor claims: [questionnaire: met]" in o.rationale
