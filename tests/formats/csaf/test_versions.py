"""Version wildcards in CSAF ranges: read as needs_review, never as exact versions.

The strings come from the CISA corpus: ICSA-22-074-01 writes "5.1.0-x" for any build of ABB
OPC Server for AC 800M 5.1.0, ICSA-23-103-15 "16XXXXXXXXX." for serial numbers beginning with
16. Read as exact versions they turned "5.1.0-2" into a confident non-match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.resolver import resolve
from otvet.formats.csaf.versions import contains, read_range
from otvet.model.csaf import MatchConfidence, MatchVerdict
from otvet.model.evidence import ProductIdentity


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("5.1.0-x", "5.1.0-2"),  # ICSA-22-074-01
        ("5.1.0-x | 5.1.1-x | >= 6.0.0-1 | <= 6.0.0-3", "5.1.0-2"),  # ICSA-22-074-01
        ("5.1.0-x | 5.1.1-x | 6.0.0-x", "6.0.0-7"),  # ICSA-22-074-01
        ("16XXXXXXXXX.", "1612345678"),  # ICSA-23-103-15
        ("V3.X.17", "3.4.17"),
        ("<= 7.2x", "7.25"),  # ICSA-18-051-01
        ("All versions <= V6.x", "6.4"),
    ],
)
def test_wildcards_need_review(text: str, version: str) -> None:
    reading = read_range(text)
    assert reading.confidence is MatchConfidence.NEEDS_REVIEW
    assert "wildcard" in reading.reason
    assert contains(reading, version) is None


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("5.1.1-1 | 6.0.0-1", "6.0.0-1", "6.0.0-2"),  # ICSA-22-074-01: builds named exactly
        (">= 6.0.0-1 | <= 6.0.0-3", "6.0.0-2", "6.0.0-4"),
        ("6.0.x64", "6.0.x64", "6.0.x65"),  # an 'x' followed by digits is not a placeholder
    ],
)
def test_versions_with_hyphens_and_x_that_are_not_wildcards(text: str, inside: str, outside: str) -> None:
    reading = read_range(text)
    assert reading.confidence is MatchConfidence.PARSED_RANGE
    assert contains(reading, inside) is True and contains(reading, outside) is False


_PREFIX = st.lists(st.integers(0, 99), min_size=1, max_size=3).map(lambda xs: ".".join(map(str, xs)))


@given(
    prefix=_PREFIX,
    placeholder=st.sampled_from([".x", ".X", "-x", "-X", "x", "X", ".xx", "XXXXXXXX", "_x", "-xx"]),
    tail=st.sampled_from(["", ".", ".17", "-3"]),
    version=_PREFIX,
)
def test_any_placeholder_component_is_never_ordered(
    prefix: str, placeholder: str, tail: str, version: str
) -> None:
    for text in (
        f"{prefix}{placeholder}{tail}",
        f"<= {prefix}{placeholder}{tail}",
        f"vers:all/<={prefix}{placeholder}",
    ):
        reading = read_range(text)
        assert reading.confidence is MatchConfidence.NEEDS_REVIEW, (text, reading.reason)
        assert contains(reading, version) is None


@pytest.mark.corpus
def test_resolver_leaves_wildcard_builds_undecided(corpus: Path) -> None:
    doc = json.loads((corpus / "csaf/cisa-ot/2022/icsa-22-074-01.json").read_text(encoding="utf-8"))
    matches = resolve(resolve_products(doc), ProductIdentity("ABB", "OPC Server for AC 800M", "5.1.0-2"))
    verdicts = {m.product.product_id: (m.verdict, m.confidence) for m in matches}
    assert verdicts == {
        "CSAFPID-0001": (MatchVerdict.UNDECIDED, MatchConfidence.NEEDS_REVIEW),  # "5.1.0-x | ..."
        "CSAFPID-0002": (MatchVerdict.NO_MATCH, MatchConfidence.PARSED_RANGE),  # "5.1.1-1 | 6.0.0-1"
        "CSAFPID-0003": (
            MatchVerdict.UNDECIDED,
            MatchConfidence.NEEDS_REVIEW,
        ),  # "5.1.0-x | 5.1.1-x | 6.0.0-x"
    }


@pytest.mark.corpus
def test_resolver_leaves_serial_number_patterns_undecided(corpus: Path) -> None:
    doc = json.loads((corpus / "csaf/cisa-ot/2023/icsa-23-103-15.json").read_text(encoding="utf-8"))
    identity = ProductIdentity("Mitsubishi Electric India", "GC-ENET-COM", "1612345678")
    matches = resolve(resolve_products(doc), identity)
    assert [(m.verdict, m.confidence) for m in matches] == [
        (MatchVerdict.UNDECIDED, MatchConfidence.NEEDS_REVIEW)
    ]
