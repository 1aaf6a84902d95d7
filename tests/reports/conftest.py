"""Assessments of the bundled examples, shared by the decide-stage tests (compare, exports, RFP).

The examples are assessed for real (whatever analyzers this branch has), so expectations
are always computed from the assessments, never written down.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.catalog import load_catalog, load_profile
from otvet.core import assess
from otvet.core.reports import write_reports
from otvet.model import Assessment, Basis, CriterionOutcome, Status
from otvet.scoring import blockers, follow_ups, score

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
EXAMPLE_NAMES = ("northwind-rtu", "kestrel-plc")


@pytest.fixture(scope="session")
def example_assessments(examples: Path) -> dict[str, Assessment]:
    """The two example products assessed under the standard profile."""
    return {name: assess(examples / name, profile="standard", now=NOW) for name in EXAMPLE_NAMES}


@pytest.fixture(scope="session")
def example_json(
    example_assessments: dict[str, Assessment], tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    """The example assessments written as JSON by the real JSON reporter (as ``otvet assess`` does)."""
    out = tmp_path_factory.mktemp("assessments")
    return [write_reports(example_assessments[name], out, ["json"])[0] for name in EXAMPLE_NAMES]


_CYCLE = (Status.MET, Status.PARTIALLY_MET, Status.NOT_MET, Status.NOT_EVIDENCED)


def variant(base: Assessment, index: int) -> Assessment:
    """A plausible other product: ``base`` with about a third of its verdicts changed, rescored.

    Deterministic (a hash of index and criterion decides), so screenshots are stable.
    """
    catalog = load_catalog()
    profile = load_profile(base.profile_id, catalog)
    outcomes: list[CriterionOutcome] = []
    for original in base.outcomes:
        o = original
        digest = hashlib.sha256(f"{index}:{o.criterion_id}".encode()).digest()
        if o.status is not Status.NOT_APPLICABLE and digest[0] % 3 == 0:
            status = _CYCLE[digest[1] % len(_CYCLE)]
            basis = Basis.VERIFIED if digest[2] % 4 == 0 else Basis.ATTESTED
            if status is Status.NOT_EVIDENCED:
                basis = Basis.NONE
            o = replace(o, status=status, basis=basis, rationale=f"Variant {index}: {status.value}.")
        outcomes.append(o)
    found, pending = blockers(catalog, outcomes)
    product = replace(base.product, vendor=f"Vendor {index + 1}", product=f"Controller {index + 1}0")
    return replace(
        base,
        product=product,
        outcomes=tuple(outcomes),
        scores=score(catalog, profile, outcomes),
        blockers=found,
        pending_must_haves=pending,
        follow_ups=follow_ups(catalog, outcomes),
    )
