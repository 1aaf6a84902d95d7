"""Resolver: hand-checked (identity, advisory, expected product ids) cases from the CISA corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.resolver import normalise_vendor, resolve
from otvet.model.csaf import MatchConfidence, MatchVerdict
from otvet.model.evidence import ProductIdentity

pytestmark = pytest.mark.corpus

# (advisory, vendor, product, version, models, expected MATCH ids at exact/parsed_range confidence)
CASES = [
    ("2023/icsa-23-005-01.json", "Hitachi Energy", "UNEM", "R14A", (), {"CSAFPID-0005"}),
    ("2023/icsa-23-005-01.json", "Hitachi Energy Ltd.", "UNEM", "R16A", (), {"CSAFPID-0001"}),
    ("2023/icsa-23-005-01.json", "Hitachi Energy", "UNEM", "R17A", (), set()),  # version not listed
    ("2023/icsa-23-005-01.json", "Hitachi Energy", "AFS660", "R14A", (), set()),  # same vendor, other product
    ("2022/icsa-22-291-01.json", "Advantech", "R-SeeNet", "2.4.19", (), {"CSAFPID-0001"}),
    ("2022/icsa-22-291-01.json", "Advantech", "R-SeeNet", "2.4.20", (), set()),  # just outside <= 2.4.19
    ("2022/icsa-22-291-01.json", "ADVANTECH Co., Ltd.", "R-SeeNet", "2.4.10", (), {"CSAFPID-0001"}),
    ("2021/icsa-21-040-04.json", "Siemens AG", "RUGGEDCOM ROX RX1500", "V2.13.3", (), {"CSAFPID-0003"}),
    ("2021/icsa-21-040-04.json", "Siemens", "RUGGEDCOM ROX RX1500", "V2.14.0", (), set()),  # fixed version
    ("2021/icsa-21-040-04.json", "Siemens", "RUGGEDCOM ROX RX5000", "2.1", (), {"CSAFPID-0008"}),
    (
        "2021/icsa-21-040-04.json",
        "Schneider Electric",
        "RUGGEDCOM ROX RX1500",
        "2.1",
        (),
        set(),
    ),  # other vendor
    ("2023/icsa-23-143-01.json", "Hitachi Energy", "AFS670/675", "9.1.07", (), {"CSAFPID-0004"}),
    ("2023/icsa-23-143-01.json", "Hitachi Energy", "AFS670/675", "9.1.08", (), set()),  # just outside
    ("2023/icsa-23-143-01.json", "Hitachi Energy", "AFF660/665", "3.0.2", (), {"CSAFPID-0006"}),
    ("2023/icsa-23-143-01.json", "Hitachi Energy", "AFS65x", "1.0", (), {"CSAFPID-0007"}),  # vers:all/*
    ("2020/icsa-20-196-01.json", "Advantech", "iView", "5.6", (), {"CSAFPID-0001"}),
    ("2020/icsa-20-196-01.json", "Advantech", "iView", "5.7", (), set()),
    (
        "2022/icsa-22-013-07.json",
        "Mitsubishi Electric Corporation",
        "FX3U-ENET",
        "1.16",
        (),
        {"CSAFPID-0001"},
    ),
    ("2022/icsa-22-013-07.json", "Mitsubishi Electric", "FX3U-ENET", "1.17", (), set()),
    ("2022/icsa-22-055-02.json", "Mitsubishi Electric", "MES3-255C-EN", "3.1.0", (), {"CSAFPID-0004"}),
    ("2022/icsa-22-055-02.json", "Mitsubishi Electric", "MES3-255C-EN", "2.9.9", (), set()),  # below >= 3.0.0
    ("2022/icsa-22-055-02.json", "Mitsubishi Electric", "MES3-255C-EN", "3.3.1", (), set()),  # above <= 3.3.0
]


def _load(corpus: Path, name: str) -> object:
    return json.loads((corpus / "csaf" / "cisa-ot" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("advisory", "vendor", "product", "version", "models", "expected"), CASES)
def test_hand_checked_case(
    corpus: Path,
    advisory: str,
    vendor: str,
    product: str,
    version: str,
    models: tuple[str, ...],
    expected: set[str],
) -> None:
    identity = ProductIdentity(vendor=vendor, product=product, version=version, model_numbers=models)
    matches = resolve(resolve_products(_load(corpus, advisory)), identity)
    strong = {
        m.product.product_id
        for m in matches
        if m.verdict is MatchVerdict.MATCH and m.confidence.rank >= MatchConfidence.PARSED_RANGE.rank
    }
    assert strong == expected, [(m.product.product_id, m.verdict, m.confidence, m.reason) for m in matches]


def test_name_containment_is_only_heuristic(corpus: Path) -> None:
    # "FX3U-ENET" is contained in "FX3U-ENET-L": a different product, so never better than heuristic.
    identity = ProductIdentity("Mitsubishi Electric", "FX3U-ENET", "1.10")
    matches = {
        m.product.product_id: m
        for m in resolve(resolve_products(_load(corpus, "2022/icsa-22-013-07.json")), identity)
    }
    assert matches["CSAFPID-0001"].confidence is MatchConfidence.PARSED_RANGE
    assert matches["CSAFPID-0002"].confidence is MatchConfidence.HEURISTIC


@pytest.mark.parametrize(
    "text", ["<April/7/2023", "<=the_first_5_digits_of_serial_number_22081", "All versions <= V6.x"]
)
def test_unreadable_range_is_undecided_never_a_verdict(text: str) -> None:
    # Range strings taken from the CISA corpus (dates, serial numbers, wildcards).
    doc = {
        "product_tree": {
            "branches": [
                {
                    "category": "vendor",
                    "name": "Siemens",
                    "branches": [
                        {
                            "category": "product_name",
                            "name": "SCALANCE X200",
                            "branches": [
                                {
                                    "category": "product_version_range",
                                    "name": text,
                                    "product": {"name": "SCALANCE X200", "product_id": "CSAFPID-0001"},
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    }
    matches = resolve(resolve_products(doc), ProductIdentity("Siemens", "SCALANCE X200", "4.7"))
    assert len(matches) == 1
    assert all(
        m.verdict is MatchVerdict.UNDECIDED and m.confidence is MatchConfidence.NEEDS_REVIEW for m in matches
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rockwell Automation ", "Rockwell Automation"),
        ("Mitsubishi Electric Corporation", "Mitsubishi Electric"),
        ("General Electric (GE)", "GE"),
        ("Schweitzer Engineering Laboratories, Inc. (SEL)", "Schweitzer Engineering Laboratories"),
        ("GeutebrÃ¼ck GmbH", "Geutebrück"),
        ("Sensormatic Electronics, a subsidiary of Johnson Controls, Inc.", "Sensormatic Electronics"),
    ],
)
def test_vendor_normalisation(a: str, b: str) -> None:
    assert normalise_vendor(a) == normalise_vendor(b)


def test_example_bundle_advisory(examples: Path) -> None:
    doc = json.loads((examples / "northwind-rtu/advisories/nwc-sa-2025-004.json").read_text(encoding="utf-8"))
    identity = ProductIdentity("Northwind Controls", "NW-RTU 500", "3.2.1", ("NW-RTU-500",))
    verdicts = {
        m.product.product_id: (m.verdict, m.confidence) for m in resolve(resolve_products(doc), identity)
    }
    assert verdicts == {
        "CSAFPID-0001": (MatchVerdict.MATCH, MatchConfidence.PARSED_RANGE),
        "CSAFPID-0002": (MatchVerdict.MATCH, MatchConfidence.EXACT),
        "CSAFPID-0003": (MatchVerdict.NO_MATCH, MatchConfidence.EXACT),
    }
