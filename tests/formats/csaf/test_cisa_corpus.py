"""The CISA ICS advisories: every one validates, every .sha512 verifies, every range is classified.

The full set (2,035 advisories of 2017-2023; ``index.txt`` also lists 344 of 2024 that are not in
the corpus) takes about 15 s for validation and hashing together, so the suite runs all of it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from otvet.formats.csaf.distribution import check_distribution
from otvet.formats.csaf.versions import read_range
from otvet.model.csaf import CheckOutcome, MatchConfidence

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_every_advisory_validates_and_every_sha512_verifies(corpus: Path) -> None:
    report = check_distribution(corpus / "csaf" / "cisa-ot")
    assert report.documents == 2035
    invalid = [(v.path, [str(i) for i in v.errors][:2]) for v in report.validations if not v.valid]
    assert invalid == []
    assert report.count(CheckOutcome.PASS, "hash") == 2035
    assert report.count(CheckOutcome.FAIL, "hash") == 0
    # CISA's key is not in the corpus: every signature is unverified, none is called valid.
    assert report.count(CheckOutcome.UNVERIFIED, "signature") == 2035
    assert report.count(CheckOutcome.PASS, "signature") == 0
    messages = {f.check: f.message for f in report.findings if f.outcome is CheckOutcome.FAIL}
    assert "not relative to the folder of index.txt" in messages["index.txt"]


def test_version_range_share(corpus: Path) -> None:
    ranges: set[str] = set()
    for path in (corpus / "csaf" / "cisa-ot").glob("*/*.json"):
        stack = list(json.loads(path.read_text(encoding="utf-8")).get("product_tree", {}).get("branches", []))
        while stack:
            branch = stack.pop()
            if branch.get("category") == "product_version_range":
                ranges.add(branch["name"])
            stack.extend(branch.get("branches", []))
    readings = {text: read_range(text) for text in ranges}
    counts = Counter(r.confidence for r in readings.values())
    total = len(readings)
    for confidence in MatchConfidence:
        print(f"{confidence.value:13} {counts[confidence]:5} {counts[confidence] / total:6.1%}")
    parsed = counts[MatchConfidence.EXACT] + counts[MatchConfidence.PARSED_RANGE]
    assert parsed / total >= 0.80
    # Everything else is classified with a stated reason: never silently in or out.
    assert all(r.reason for r in readings.values() if r.confidence.rank < MatchConfidence.PARSED_RANGE.rank)
    assert total > 3000
