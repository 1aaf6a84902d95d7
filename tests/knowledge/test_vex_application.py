"""VEX semantics on real documents: the CycloneDX VEX use cases (CycloneDX/bom-examples,
including the CISA VEX use cases) and anchore/grype's OpenVEX test documents.

Each row: VEX file, the product (or component) described by a test SBOM, the vulnerability,
and the status the document states for it (read from each case's README and document by
hand), or None when the statement must not apply (another version, another product).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from otvet.formats.sbom import read_sbom
from otvet.formats.vex import read_vex
from otvet.knowledge.vex import apply_statements
from otvet.model import Component, SbomDocument
from tests.knowledge.conftest import component, sbom

pytestmark = pytest.mark.corpus

CDX = "vex/cyclonedx"


def product(name: str, version: str | None, ref: str) -> SbomDocument:
    subject = Component(ref=ref, name=name, version=version, location="/metadata/component")
    return sbom(component("lib", "1.0", purl="pkg:maven/com.example/lib@1.0"), subject=subject)


def from_bom(corpus: Path, relative: str, version: str) -> SbomDocument:
    document = read_sbom(corpus / relative)
    assert document.subject is not None
    return dataclasses.replace(document, subject=dataclasses.replace(document.subject, version=version))


# (vex file, sbom factory, vulnerability, expected status)
CASES = [
    # CISA use case 1: one product version, each of the four statuses
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-not_affected.json",
        lambda c: product("ABC", "4.2", "product-ABC"),
        "CVE-2021-44228",
        "not_affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-affected.json",
        lambda c: product("DEF", "1.0", "product-DEF"),
        "CVE-2021-44228",
        "affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-fixed.json",
        lambda c: product("DEF", "1.1", "product-DEF"),
        "CVE-2021-44228",
        "fixed",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-under_investigation.json",
        lambda c: product("GHI", "17.4", "product-GHI"),
        "CVE-2021-44228",
        "under_investigation",
    ),
    # ... and never for another version of the product
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-affected.json",
        lambda c: product("DEF", "1.1", "product-DEF"),
        "CVE-2021-44228",
        None,
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-1/vex-not_affected.json",
        lambda c: product("ABC", "4.3", "product-ABC"),
        "CVE-2021-44228",
        None,
    ),
    # CISA use case 3: mixed statuses for Ripple20 in one product
    (
        f"{CDX}/CISA-Use-Cases/Case-3/vex.json",
        lambda c: product("GHI", "17.4", "product-GHI"),
        "CVE-2020-11896",
        "under_investigation",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-3/vex.json",
        lambda c: product("GHI", "17.4", "product-GHI"),
        "CVE-2020-11897",
        "not_affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-3/vex.json",
        lambda c: product("GHI", "17.4", "product-GHI"),
        "CVE-2020-11898",
        "affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-3/vex.json",
        lambda c: product("GHI", "17.4", "product-GHI"),
        "CVE-2020-11901",
        "fixed",
    ),
    # CISA use case 4: affected versions 2.4, 2.6 and the range >=2.9 <=4.1
    (
        f"{CDX}/CISA-Use-Cases/Case-4/vex.json",
        lambda c: product("ABC", "3.0", "product-ABC"),
        "CVE-2021-44228",
        "affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-4/vex.json",
        lambda c: product("ABC", "2.5", "product-ABC"),
        "CVE-2021-44228",
        None,
    ),
    # CISA use case 6: affected and unaffected versions of one product
    (
        f"{CDX}/CISA-Use-Cases/Case-6/vex.json",
        lambda c: product("ABC", "2.5", "product-ABC"),
        "CVE-2021-44228",
        "not_affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-6/vex.json",
        lambda c: product("ABC", "1.5", "product-ABC"),
        "CVE-2021-44228",
        "not_affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-6/vex.json",
        lambda c: product("ABC", "2.6", "product-ABC"),
        "CVE-2021-44228",
        "affected",
    ),
    # CISA use case 7: two products in other BOMs, linked by BOM-Link (serial number)
    (
        f"{CDX}/CISA-Use-Cases/Case-7/vex.json",
        lambda c: from_bom(c, f"{CDX}/CISA-Use-Cases/Case-7/bom-1.json", "2.4"),
        "CVE-2021-44228",
        "affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-7/vex.json",
        lambda c: from_bom(c, f"{CDX}/CISA-Use-Cases/Case-7/bom-1.json", "4.2"),
        "CVE-2021-44228",
        "not_affected",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-7/vex.json",
        lambda c: from_bom(c, f"{CDX}/CISA-Use-Cases/Case-7/bom-2.json", "5.1"),
        "CVE-2021-44228",
        "fixed",
    ),
    (
        f"{CDX}/CISA-Use-Cases/Case-7/vex.json",
        lambda c: from_bom(c, f"{CDX}/CISA-Use-Cases/Case-7/bom-2.json", "4.0"),
        "CVE-2021-44228",
        "not_affected",
    ),
    # the same product name in a BOM with another serial number: the BOM-Link does not apply
    (
        f"{CDX}/CISA-Use-Cases/Case-7/vex.json",
        lambda c: product("ABC", "2.4", "product-ABC"),
        "CVE-2021-44228",
        None,
    ),
    # CycloneDX use cases (Acme Product, CVE-2020-25649)
    (
        f"{CDX}/Use-Cases/Case-1/vex.json",
        lambda c: product("Acme Product", "2.4.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-2/vex.json",
        lambda c: product("Acme Product", "2.4.0", "acme-product"),
        "CVE-2020-25649",
        "affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-3/vex.json",
        lambda c: product("Acme Product", "2.4.0", "acme-product"),
        "CVE-2020-25649",
        "under_investigation",
    ),
    (
        f"{CDX}/Use-Cases/Case-4/vex.json",
        lambda c: product("Acme Product", "2.3.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-4/vex.json",
        lambda c: product("Acme Product", "2.5.0", "acme-product"),
        "CVE-2020-25649",
        None,
    ),
    (
        f"{CDX}/Use-Cases/Case-5/vex.json",
        lambda c: product("Acme Product", "1.0.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-5/vex.json",
        lambda c: product("Acme Product", "5.0.0", "acme-product"),
        "CVE-2020-25649",
        "affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-5/vex.json",
        lambda c: product("Acme Product", "7.0.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-6/vex.json",
        lambda c: from_bom(c, f"{CDX}/Use-Cases/Case-6/bom-3.json", "9.9"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-7/vex.json",
        lambda c: product("Acme Product", "2.4.0", "acme-product"),
        "CVE-2020-25649",
        None,
    ),
    (
        f"{CDX}/Use-Cases/Case-8/vex.json",
        lambda c: product("Acme Product", "3.1.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-8/vex.json",
        lambda c: product("Acme Product", "2.8.0", "acme-product"),
        "CVE-2020-25649",
        None,
    ),
    (
        f"{CDX}/Use-Cases/Case-8/vex.json",
        lambda c: product("Acme Product", "5.9.0", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-9/vex.json",
        lambda c: from_bom(c, f"{CDX}/Use-Cases/Case-9/bom-2.json", "1.0"),
        "CVE-2020-11914",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-10/vex.json",
        lambda c: product("Acme Product", "2.3.4", "acme-product"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-10/vex.json",
        lambda c: product("Acme Product", "2.4.1", "acme-product"),
        "CVE-2020-25649",
        None,
    ),
    (
        f"{CDX}/Use-Cases/Case-11/vex.json",
        lambda c: product("Acme Product", "2.2.0", "acme-product"),
        "CVE-2020-11905",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-12/vex.json",
        lambda c: product("Acme Product", "2.2.0", "acme-product"),
        "CVE-2020-35491",
        "affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-12/vex.json",
        lambda c: product("Acme Product", "2.2.0", "acme-product"),
        "CVE-2020-14195",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-13/vex.json",
        lambda c: from_bom(c, f"{CDX}/Use-Cases/Case-13/bom-1.json", "1"),
        "CVE-2020-25649",
        "not_affected",
    ),
    (
        f"{CDX}/Use-Cases/Case-13/vex.json",
        lambda c: from_bom(c, f"{CDX}/Use-Cases/Case-13/bom-3.json", "1"),
        "CVE-2020-25649",
        "affected",
    ),
]


@pytest.mark.parametrize(
    ("vex_file", "make", "vuln", "expected"),
    CASES,
    ids=[f"{c[0].split('cyclonedx/')[1]}-{c[2]}-{c[3]}-{i}" for i, c in enumerate(CASES)],
)
def test_cyclonedx_vex_use_cases(corpus: Path, vex_file: str, make, vuln: str, expected: str | None) -> None:  # type: ignore[no-untyped-def]
    document = read_vex(corpus / vex_file)
    target = make(corpus)
    assert target.subject is not None
    applied = apply_statements({vuln}, target.subject, target, document.statements)
    got = applied.application.status.value if applied.application else None
    assert got == expected
    if applied.application is not None:
        assert applied.application.source == str(corpus / vex_file)


def test_statement_is_per_component_not_per_vulnerability(corpus: Path) -> None:
    """DependencyTrack#3554: a not_affected statement for one component must not silence the
    same vulnerability in another component."""
    document = read_vex(corpus / "vex/grype-testdata/openvex-package-product.json")
    libcrypto = component("libcrypto3", "3.0.8-r3", purl="pkg:apk/alpine/libcrypto3@3.0.8-r3")
    libssl = component("libssl3", "3.0.8-r3", purl="pkg:apk/alpine/libssl3@3.0.8-r3")
    target = sbom(libcrypto, libssl)
    on_crypto = apply_statements({"CVE-2023-1255"}, libcrypto, target, document.statements)
    on_ssl = apply_statements({"CVE-2023-1255"}, libssl, target, document.statements)
    assert on_crypto.application is not None and on_crypto.application.status.value == "fixed"
    assert on_ssl.application is None


IMAGE = "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126"


def test_openvex_subcomponents_apply_only_inside_the_named_product(corpus: Path) -> None:
    document = read_vex(corpus / "vex/grype-testdata/openvex-demo1.json")
    libssl = component("libssl3", "3.0.8-r3", purl="pkg:apk/alpine/libssl3@3.0.8-r3")
    busybox = component("busybox", "1.36.0-r9", purl="pkg:apk/alpine/busybox@1.36.0-r9")
    image = Component(ref="image", name="alpine", purl=IMAGE)
    other_image = Component(ref="image", name="alpine", purl=IMAGE.replace("124c", "ffff"))
    inside = sbom(libssl, busybox, subject=image)
    assert apply_statements({"CVE-2023-1255"}, libssl, inside, document.statements).application is not None
    assert apply_statements({"CVE-2023-1255"}, busybox, inside, document.statements).application is None
    elsewhere = sbom(libssl, subject=other_image)
    assert apply_statements({"CVE-2023-1255"}, libssl, elsewhere, document.statements).application is None


def test_openvex_product_statement_covers_the_product_components(corpus: Path) -> None:
    document = read_vex(corpus / "vex/grype-testdata/openvex-image-no-subcomponents.json")
    busybox = component("busybox", "1.36.0-r9", purl="pkg:apk/alpine/busybox@1.36.0-r9")
    target = sbom(busybox, subject=Component(ref="image", name="alpine", purl=IMAGE))
    applied = apply_statements({"CVE-2023-1255"}, busybox, target, document.statements)
    assert applied.application is not None
    assert applied.application.scope == "product"
    assert applied.application.status.value == "fixed"


def test_aliases_reach_statements_written_with_another_id(corpus: Path) -> None:
    document = read_vex(corpus / "vex/grype-testdata/openvex-package-product.json")
    libcrypto = component("libcrypto3", "3.0.8-r3", purl="pkg:apk/alpine/libcrypto3@3.0.8-r3")
    # the finding is known as a GHSA with the CVE as alias: the statement still applies
    applied = apply_statements(
        {"GHSA-XXXX-YYYY-ZZZZ", "CVE-2023-1255"}, libcrypto, sbom(libcrypto), document.statements
    )
    assert applied.application is not None


def test_bom_link_with_another_serial_does_not_apply(corpus: Path) -> None:
    """The example VEX of bom-examples links to serial 3e671687...; its bom.json has serial
    5f0f0da9...: the statement names another BOM and must not apply (fail closed)."""
    document = read_vex(corpus / "vex/cyclonedx/vex.json")
    bom = read_sbom(corpus / "vex/cyclonedx/bom.json")
    databind = next(c for c in bom.components if c.name == "jackson-databind")
    assert apply_statements({"CVE-2020-25649"}, databind, bom, document.statements).application is None
    relinked = dataclasses.replace(
        bom, serial="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", document_version="1"
    )
    applied = apply_statements({"CVE-2020-25649"}, databind, relinked, document.statements)
    assert applied.application is not None and applied.application.status.value == "not_affected"
