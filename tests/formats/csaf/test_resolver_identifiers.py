"""The resolver on SKUs, serial numbers and file hashes (CSAF 2.0 sections 3.1.3.3.2, .6, .7).

Hand-made product trees: the advisory names the item by an identifier, while its product name
differs from the one under assessment, so only the identifier can tie the two together.
"""

from __future__ import annotations

import hashlib
from typing import Any

from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.resolver import resolve
from otvet.model.components import Component, Hash
from otvet.model.csaf import MatchConfidence, MatchVerdict, ProductMatch
from otvet.model.evidence import ProductIdentity

FIRMWARE = hashlib.sha256(b"KA-9 firmware 5.4.0").hexdigest()


def _tree(
    helper: dict[str, Any], *, version: dict[str, str] | None = None, vendor: str = "Kestrel Automation"
) -> dict[str, Any]:
    product = {
        "name": "KA-9 CM communication module",
        "product_id": "CSAFPID-0001",
        "product_identification_helper": helper,
    }
    leaf: dict[str, Any] = (
        {**version, "product": product}
        if version
        else {"category": "product_name", "name": "KA-9 CM communication module", "product": product}
    )
    name = (
        {"category": "product_name", "name": "KA-9 CM communication module", "branches": [leaf]}
        if version
        else leaf
    )
    return {"product_tree": {"branches": [{"category": "vendor", "name": vendor, "branches": [name]}]}}  # fmt: skip


def _identity(version: str = "5.4.0", **properties: str) -> ProductIdentity:
    return ProductIdentity(
        "Kestrel Automation", "KA-9 Safety PLC", version, ("KA-9-16",), properties=properties
    )


def _only(matches: list[ProductMatch]) -> ProductMatch:
    assert len(matches) == 1, matches
    return matches[0]


def test_without_an_identifier_the_names_differ() -> None:
    # The control case: nothing but the name, and the names are of different products.
    assert resolve(resolve_products(_tree({})), _identity(sku="KA9-CM-0042")) == []


def test_sku_identifies_the_product_and_the_version_still_decides() -> None:
    tree = _tree(
        {"skus": ["KA9-CM-0042"]},
        version={"category": "product_version_range", "name": "vers:generic/<5.4.1"},
    )
    match = _only(resolve(resolve_products(tree), _identity(sku="KA9-CM-0042")))
    assert (match.verdict, match.confidence) == (MatchVerdict.MATCH, MatchConfidence.PARSED_RANGE)
    assert "SKU KA9-CM-0042 matches" in match.reason
    fixed = _only(resolve(resolve_products(tree), _identity("5.4.1", sku="KA9-CM-0042")))
    assert fixed.verdict is MatchVerdict.NO_MATCH


def test_sku_with_wildcards_and_exact_version() -> None:
    tree = _tree({"skus": ["KA9-CM-00??"]}, version={"category": "product_version", "name": "5.4.0"})
    match = _only(resolve(resolve_products(tree), _identity(skus="KA9-XX-0001, KA9-CM-0042")))
    assert (match.verdict, match.confidence) == (MatchVerdict.MATCH, MatchConfidence.EXACT)
    assert "SKU KA9-CM-00?? matches" in match.reason and "version 5.4.0 equals 5.4.0" in match.reason


def test_other_sku_is_no_identification() -> None:
    tree = _tree({"skus": ["KA9-CM-0042"]}, version={"category": "product_version", "name": "5.4.0"})
    assert resolve(resolve_products(tree), _identity(sku="KA9-CM-0043")) == []


def test_serial_number_without_a_version_is_an_exact_match() -> None:
    tree = _tree({"serial_numbers": ["16*"]})
    match = _only(resolve(resolve_products(tree), _identity(serial_number="1612345678")))
    assert (match.verdict, match.confidence) == (MatchVerdict.MATCH, MatchConfidence.EXACT)
    assert "serial number 16* matches" in match.reason
    assert "identifies the item without a version" in match.reason
    assert resolve(resolve_products(tree), _identity(serial_number="1712345678")) == []


def test_identifier_of_another_vendor_does_not_match() -> None:
    tree = _tree({"skus": ["KA9-CM-0042"]}, vendor="Northwind Controls")
    assert resolve(resolve_products(tree), _identity(sku="KA9-CM-0042")) == []


def _by_hash(algorithm: str, value: str) -> dict[str, Any]:
    return {
        "product_tree": {
            "full_product_names": [
                {
                    "name": "KA-9 firmware image",
                    "product_id": "CSAFPID-0009",
                    "product_identification_helper": {
                        "hashes": [
                            {"filename": "ka9.bin", "file_hashes": [{"algorithm": algorithm, "value": value}]}
                        ]
                    },
                }
            ]
        }
    }


def test_file_hash_matches_an_sbom_component() -> None:
    component = Component(ref="fw", name="ka9-firmware", version="5.4.0", hashes=(Hash("SHA-256", FIRMWARE),))
    match = _only(resolve(resolve_products(_by_hash("sha256", FIRMWARE.upper())), _identity(), [component]))
    assert (match.verdict, match.confidence) == (MatchVerdict.MATCH, MatchConfidence.EXACT)
    assert "equals SBOM component ka9-firmware@5.4.0's" in match.reason


def test_file_hash_matches_the_product_itself() -> None:
    tree = resolve_products(_by_hash("SHA-256", FIRMWARE))
    match = _only(resolve(tree, _identity(firmware_sha256=FIRMWARE)))
    assert match.verdict is MatchVerdict.MATCH and "equals the product's" in match.reason


def test_other_hash_or_algorithm_does_not_match() -> None:
    component = Component(ref="fw", name="ka9-firmware", hashes=(Hash("SHA-512", FIRMWARE),))
    other = hashlib.sha256(b"another image").hexdigest()
    assert resolve(resolve_products(_by_hash("sha256", other)), _identity(sha256=FIRMWARE), [component]) == []
    # Same hex under another algorithm is not the same file.
    assert resolve(resolve_products(_by_hash("sha256", FIRMWARE)), _identity(), [component]) == []


def test_model_number_wildcards_as_the_standard_writes_them() -> None:
    # The example of CSAF 2.0 section 3.1.3.3.3: '?' for one unknown character, also next to '-'.
    tree = _tree(
        {"model_numbers": ["6RA801?-??V62-0AA0"]}, version={"category": "product_version", "name": "5.4.0"}
    )
    drive = ProductIdentity("Kestrel Automation", "KA-9 Safety PLC", "5.4.0", ("6RA8011-AAV62-0AA0",))
    match = _only(resolve(resolve_products(tree), drive))
    assert (match.verdict, match.confidence) == (MatchVerdict.MATCH, MatchConfidence.EXACT)
    assert "model number 6RA801?-??V62-0AA0 matches" in match.reason
    other = ProductIdentity("Kestrel Automation", "KA-9 Safety PLC", "5.4.0", ("6RA8011-AAV62-0AA1",))
    assert resolve(resolve_products(tree), other) == []  # both name models, and they differ
