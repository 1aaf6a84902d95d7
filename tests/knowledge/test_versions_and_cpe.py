"""Property and example tests: the generic version order, OSV range evaluation, CPE and vers."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from otvet.knowledge.cpe import ANY, NA, Relation, VersionBounds, compare_attribute, cpe_matches, parse_cpe
from otvet.knowledge.vers import VersError, parse_vers
from otvet.knowledge.versions import compare_generic, generic_key, osv_range_contains, scheme_for

VERSION = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
SUFFIXED = st.tuples(VERSION, st.sampled_from(["", "a", "k", "rc1", "-beta", "zg", "p1"])).map("".join)


@given(SUFFIXED, SUFFIXED, SUFFIXED)
def test_generic_order_is_a_total_preorder(a: str, b: str, c: str) -> None:
    assert compare_generic(a, b) == -compare_generic(b, a)
    if compare_generic(a, b) <= 0 and compare_generic(b, c) <= 0:
        assert compare_generic(a, c) <= 0


@given(VERSION)
def test_trailing_zeros_do_not_change_a_version(version: str) -> None:
    assert generic_key(version) == generic_key(version + ".0")


def test_generic_order_examples() -> None:
    ordered = ["1.0.0rc1", "1.0.0", "1.0.0a", "1.0.1", "1.1.1", "1.1.1k", "1.1.1t", "1.10"]
    assert sorted(ordered, key=generic_key) == ordered


@given(VERSION, VERSION, VERSION)
def test_osv_range_matches_interval_semantics(introduced: str, fixed: str, version: str) -> None:
    """SEMVER range [introduced, fixed) agrees with direct comparisons of univers versions."""
    scheme = scheme_for("Go", "SEMVER")
    low, high, target = scheme.parse(introduced), scheme.parse(fixed), scheme.parse(version)
    assume(not scheme.less(high, low))  # a fix before the introduction is another range shape
    verdict = osv_range_contains(version, "SEMVER", [{"introduced": introduced}, {"fixed": fixed}], "Go")
    expected = not scheme.less(target, low) and scheme.less(target, high)
    assert verdict.affected == expected


def test_osv_range_with_unsorted_events_and_last_affected() -> None:
    events = [{"fixed": "2.0.0"}, {"introduced": "0"}, {"introduced": "3.0.0"}, {"last_affected": "3.1.0"}]
    assert osv_range_contains("1.9.9", "ECOSYSTEM", events, "PyPI").affected
    assert not osv_range_contains("2.0.0", "ECOSYSTEM", events, "PyPI").affected
    assert osv_range_contains("3.1.0", "ECOSYSTEM", events, "PyPI").affected
    assert not osv_range_contains("3.1.1", "ECOSYSTEM", events, "PyPI").affected


def test_rejected_version_falls_back_and_says_so() -> None:
    verdict = osv_range_contains(
        "1.0.0-r3_patch+x y", "ECOSYSTEM", [{"introduced": "0"}, {"fixed": "2"}], "PyPI"
    )
    assert verdict.affected
    assert verdict.note is not None and "univers PypiVersion rejected" in verdict.note


ATTRIBUTE = st.one_of(
    st.just(ANY), st.just(NA), st.text(alphabet="abcdefghij0123456789_.", min_size=1, max_size=6)
)


@given(ATTRIBUTE, ATTRIBUTE)
def test_attribute_relations_are_consistent(source: str, target: str) -> None:
    relation = compare_attribute(source, target)
    if source == target:
        assert relation in (Relation.EQUAL, Relation.SUPERSET)
    if source == ANY:
        assert relation in (Relation.EQUAL, Relation.SUPERSET)
    if relation is Relation.EQUAL:
        assert compare_attribute(target, source) is Relation.EQUAL


@given(
    st.text(alphabet="abcdefghijklmnop_", min_size=1, max_size=10),
    st.text(alphabet="abcdefghijklmnop_", min_size=1, max_size=10),
)
def test_cpe_round_trip_and_vendor_is_never_ignored(vendor: str, other: str) -> None:
    text = f"cpe:2.3:a:{vendor}:product:1.0:*:*:*:*:*:*:*"
    cpe = parse_cpe(text)
    assert str(cpe) == text
    foreign = parse_cpe(f"cpe:2.3:a:{other}:product:1.0:*:*:*:*:*:*:*")
    assert cpe_matches(cpe, VersionBounds(), foreign).matched == (vendor == other)


def test_cpe_conditions_and_bounds() -> None:
    criterion = parse_cpe("cpe:2.3:a:vendor:lib:*:*:*:*:*:node.js:*:*")
    component = parse_cpe("cpe:2.3:a:vendor:lib:1.2.0:*:*:*:*:*:*:*")
    verdict = cpe_matches(criterion, VersionBounds(end_excluding="1.3"), component)
    assert verdict.matched and verdict.conditions == ("target_sw=node.js",)
    python = parse_cpe("cpe:2.3:a:vendor:lib:1.2.0:*:*:*:*:python:*:*")
    assert not cpe_matches(criterion, VersionBounds(end_excluding="1.3"), python).matched
    assert not cpe_matches(criterion, VersionBounds(start_excluding="1.2.0"), component).matched
    assert parse_cpe("cpe:/a:openssl:openssl:1.0.2") == parse_cpe(
        "cpe:2.3:a:openssl:openssl:1.0.2:*:*:*:*:*:*:*"
    )


def test_vers_ranges() -> None:
    assert parse_vers("vers:semver/<1.5.0|>=7.0.0").contains("8.0.0")
    assert not parse_vers("vers:semver/<1.5.0|>=7.0.0").contains("3.0.0")
    assert parse_vers("vers:generic/>=2.9|<=4.1").contains("3.0")
    assert parse_vers("vers:pypi/1.0|2.0").contains("2.0.0")
    assert not parse_vers("vers:pypi/!=1.0|>=0.5").contains("1.0")
    assert parse_vers("vers:all/*").contains("anything")
    with pytest.raises(VersError):
        parse_vers("All versions < V1.5 SP3")
