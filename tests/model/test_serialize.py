"""The model codec: round trips, strict types, schema generation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otvet.model import (
    Basis,
    CriterionId,
    CriterionOutcome,
    CriterionResult,
    EvidenceRef,
    ProductIdentity,
    Status,
)
from otvet.model.serialize import from_jsonable, json_schema, to_jsonable


def test_product_identity_round_trip() -> None:
    product = ProductIdentity(
        vendor="Kestrel",
        product="KA-9",
        version="5.4.0",
        model_numbers=("KA-9-16",),
        end_of_support=date(2041, 12, 31),
        properties={"planned_service_life_years": "20"},
    )
    assert from_jsonable(ProductIdentity, to_jsonable(product)) == product


@given(
    status=st.sampled_from(list(Status)),
    basis=st.sampled_from(list(Basis)),
    rationale=st.text(max_size=200),
    weight=st.integers(min_value=0, max_value=10),
    must=st.booleans(),
)
def test_outcome_round_trip(status: Status, basis: Basis, rationale: str, weight: int, must: bool) -> None:
    claim = CriterionResult(CriterionId("SBD-06.01"), Status.MET, Basis.ATTESTED, "claimed", "questionnaire")
    outcome = CriterionOutcome(
        criterion_id=CriterionId("SBD-06.01"),
        status=status,
        basis=basis,
        rationale=rationale,
        analyzer="probe",
        evidence=(EvidenceRef("probe.json", "ab" * 32, "/checks/3"),),
        weight=weight,
        must_have=must,
        claim=claim,
        supporting=(claim,),
        contradiction=None,
    )
    assert from_jsonable(CriterionOutcome, to_jsonable(outcome)) == outcome


def test_wrong_types_name_the_path() -> None:
    data = to_jsonable(ProductIdentity("a", "b", "c"))
    data["model_numbers"] = "not-a-list"
    with pytest.raises(ValueError, match=r"\$\.model_numbers: expected list"):
        from_jsonable(ProductIdentity, data)


def test_enum_values_are_checked() -> None:
    data = to_jsonable(CriterionResult(CriterionId("SBD-01.01"), Status.MET, Basis.VERIFIED, "r", "a"))
    data["status"] = "great"
    with pytest.raises(ValueError, match="not one of"):
        from_jsonable(CriterionResult, data)


def test_unknown_keys_are_accepted_for_forward_compatibility() -> None:
    data = to_jsonable(ProductIdentity("a", "b", "c"))
    data["added_by_a_newer_otvet"] = 1
    assert from_jsonable(ProductIdentity, data).vendor == "a"


def test_datetimes_keep_their_timezone() -> None:
    moment = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    assert from_jsonable(datetime, to_jsonable(moment)) == moment


def test_schema_describes_every_field() -> None:
    schema = json_schema(CriterionOutcome, title="t", schema_id="urn:test")
    outcome = schema["$defs"]["CriterionOutcome"]
    assert (
        set(outcome["required"])
        == set(outcome["properties"])
        >= {"status", "basis", "claim", "contradiction"}
    )
    assert schema["$defs"]["CriterionResult"]["properties"]["status"]["enum"] == [s.value for s in Status]
