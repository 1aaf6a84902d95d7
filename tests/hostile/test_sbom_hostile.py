"""Hostile SBOMs: entity bombs, deep nesting, size/count/time limits, random mutations of real SBOMs.

A hostile document must end in a readable (possibly partial) document or an ``InputError``
naming the file: never another exception, never unbounded work. Work is bounded by the
reader's limits (entries, seconds, bytes); memory is measured with tracemalloc.
"""

from __future__ import annotations

import copy
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otvet.formats.sbom import parse_sbom, read_sbom
from otvet.model import FormatError, InputError, LimitExceeded, SbomDocument
from otvet.safeio import Limits

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
SEEDS = [
    EXAMPLES / "northwind-rtu/sbom/nw-rtu-500-3.2.1.cdx.json",
    EXAMPLES / "kestrel-plc/sbom/ka9-5.4.0.cdx.json",
    EXAMPLES / "kestrel-plc/sbom/ka9-5.4.0.spdx.json",
    EXAMPLES / "kestrel-plc/sbom/ka9-hbom.cdx.json",
    ASSETS / "sbom/gateway.invalid-lines.spdx",
]
TIGHT = Limits(max_file_bytes=4 * 1024 * 1024, max_items=20_000, max_seconds=10, max_nesting=64)
PEAK_BYTES = 64 * 1024 * 1024
"""Memory a mutated seed (at most a few hundred KiB) may take to read."""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bom [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library">
<name>&lol3;</name></component></components></bom>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library">
<name>&xxe;</name></component></components></bom>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE bom SYSTEM "http://attacker.example/bom.dtd">
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>"""


@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"]
)
def test_cyclonedx_xml_with_dtd_or_entities_is_refused(document: bytes) -> None:
    with pytest.raises(FormatError, match="refused for safety"):
        parse_sbom(document, "evil.bom.xml")


def _components(count: int) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "name": f"c{i}", "version": "1"} for i in range(count)],
    }


def test_deeply_nested_components_hit_the_nesting_limit() -> None:
    doc: dict[str, Any] = {"type": "library", "name": "leaf"}
    for i in range(200):
        doc = {"type": "library", "name": f"n{i}", "components": [doc]}
    data = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [doc]}).encode()
    with pytest.raises(LimitExceeded, match="nesting"):
        parse_sbom(data, "deep.json")


def test_deeply_nested_xml_hits_the_nesting_limit() -> None:
    inner = "<components><component type='library'><name>x</name>" * 150 + "</component></components>" * 150
    data = f'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">{inner}</bom>'.encode()
    with pytest.raises(LimitExceeded, match="nesting"):
        parse_sbom(data, "deep.xml")


def test_component_count_limit() -> None:
    data = json.dumps(_components(50)).encode()
    with pytest.raises(LimitExceeded, match="more than 20 entries"):
        parse_sbom(data, "many.json", limits=Limits(max_items=20))
    assert len(parse_sbom(data, "many.json", limits=Limits(max_items=50)).components) == 50


def test_time_budget_stops_reading() -> None:
    data = json.dumps(_components(3_000)).encode()
    with pytest.raises(LimitExceeded, match="took longer than"):
        parse_sbom(data, "slow.json", limits=Limits(max_seconds=0))


def test_file_size_limit(tmp_path: Path) -> None:
    target = tmp_path / "big.json"
    target.write_text(json.dumps(_components(100)), encoding="utf-8")
    with pytest.raises(LimitExceeded, match="byte limit"):
        read_sbom(target, limits=Limits(max_file_bytes=1_000))


def test_unclosed_text_block_in_tag_value_is_a_problem() -> None:
    data = b"SPDXVersion: SPDX-2.3\nPackageName: a\nSPDXID: SPDXRef-a\nPackageCopyrightText: <text>never closed\n"
    doc = parse_sbom(data, "open.spdx")
    assert [c.name for c in doc.components] == ["a"]
    assert any(p.where == "line 4" and "not closed" in p.message for p in doc.problems)


def test_bad_utf8_names_the_byte() -> None:
    data = b'{"bomFormat": "CycloneDX", "x": "\xff"}'
    with pytest.raises(FormatError, match="not valid UTF-8") as caught:
        parse_sbom(data, "bytes.json")
    assert caught.value.location is not None
    column = data.index(b"\xff") + 1
    assert caught.value.location.where == f"line 1 column {column}"


def _bounded_read(data: bytes) -> SbomDocument | None:
    """Read within tight limits; any outcome but a document or an InputError fails the test."""
    tracemalloc.start()
    try:
        return parse_sbom(data, "mutated", limits=TIGHT)
    except InputError:
        return None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < PEAK_BYTES, f"reading a {len(data)} byte document took {peak} bytes"


_JSON_SEEDS = [json.loads(p.read_text(encoding="utf-8")) for p in SEEDS if p.suffix == ".json"]
_TEXT_SEEDS = [p.read_bytes() for p in SEEDS]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_paths(child, (*prefix, index)))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(range(len(_JSON_SEEDS))),
    picks=st.lists(st.tuples(st.integers(min_value=0), json_values), min_size=1, max_size=5),
)
def test_structural_mutations_of_real_sboms_never_crash(seed: int, picks: list[tuple[int, Any]]) -> None:
    doc = copy.deepcopy(_JSON_SEEDS[seed])
    for index, value in picks:
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = paths[index % len(paths)]
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = value
    result = _bounded_read(json.dumps(doc).encode())
    if result is not None:
        # Whatever was read carries a location, and problems name the document.
        assert all(c.location for c in result.components)
        assert all(p.path == "mutated" for p in result.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(range(len(_TEXT_SEEDS))),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.binary(max_size=8), st.integers(0, 16)), min_size=1, max_size=6
    ),
)
def test_byte_mutations_of_real_sboms_never_crash(seed: int, edits: list[tuple[int, bytes, int]]) -> None:
    data = bytearray(_TEXT_SEEDS[seed])
    for position, insert, delete in edits:
        at = position % (len(data) + 1)
        data[at : at + delete] = insert
    _bounded_read(bytes(data))


@pytest.mark.corpus
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_byte_mutations_of_corpus_xml_and_spdx3_never_crash(corpus: Path, data: st.DataObject) -> None:
    seeds = [
        corpus / "sbom/cyclonedx/laravel-7.12.0/bom.1.4.xml",
        corpus / "sbom/cyclonedx/laravel-7.12.0/bom.1.1.xml",
        corpus / "sbom/spdx/example9/spdx3.0/appbomination.spdx3.json",
        corpus / "sbom/spdx/example6/spdx2.2/example6-bin.spdx",
    ]
    raw = bytearray(data.draw(st.sampled_from(seeds)).read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        raw[at : at + data.draw(st.integers(0, 12))] = data.draw(st.binary(max_size=6))
    _bounded_read(bytes(raw))
