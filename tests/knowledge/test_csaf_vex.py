"""CSAF VEX through the knowledge base's VEX interface (ADR 0046).

CSAF products identified by purl match like any VEX selector (grype's CSAF test documents);
products named only by vendor, name and version (every CISA ICS advisory, and our own test
document ``tests/assets/vex/ka9-csaf-vex-by-name.json``) go through the CSAF resolver:
``exact``/``parsed_range`` apply, a heuristic match applies only against the vendor's interest,
and an unreadable range is never applied either way: it is listed for review.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.formats.vex import read_vex
from otvet.knowledge import KnowledgeBase
from otvet.knowledge.vex import apply_statements
from otvet.model import Component, ProductIdentity
from otvet.model.vex import VexStatus
from tests.knowledge.conftest import CISA, NOW, component, sbom

pytestmark = pytest.mark.corpus

KA9 = Component(ref="ka9", name="KA-9 Safety PLC", version="5.4.0", supplier="Kestrel Automation")


def test_grype_csaf_documents_apply_by_purl(corpus: Path) -> None:
    libcrypto = component(
        "libcrypto3",
        "3.0.8-r3",
        purl="pkg:apk/alpine/libcrypto3@3.0.8-r3?arch=x86_64&upstream=openssl&distro=alpine-3.17.3",
    )
    other = component("libssl3", "3.0.8-r3", purl="pkg:apk/alpine/libssl3@3.0.8-r3")
    target = sbom(libcrypto, other)
    demo1 = read_vex(corpus / "vex/grype-testdata/csaf-demo1.json")
    demo2 = read_vex(corpus / "vex/grype-testdata/csaf-demo2.json")
    assert demo1.format == demo2.format == "csaf"
    fixed = apply_statements({"CVE-2023-1255"}, libcrypto, target, demo1.statements).application
    assert fixed is not None and fixed.status is VexStatus.FIXED and fixed.scope == "component"
    not_affected = apply_statements({"CVE-2023-3817"}, libcrypto, target, demo2.statements).application
    assert not_affected is not None and not_affected.status is VexStatus.NOT_AFFECTED
    assert not_affected.justification is not None
    assert not_affected.justification.value == "vulnerable_code_not_present"
    assert apply_statements({"CVE-2023-1255"}, other, target, demo1.statements).application is None


def test_cisa_advisory_applies_to_the_product_by_vendor_name_and_version(corpus: Path) -> None:
    """ICSA-18-095-02: Moxa MXview "<= 2.8", CVE-2018-7506 known_affected."""
    document = read_vex(corpus / CISA / "2018/icsa-18-095-02.json")
    library = component("libxml2", "2.9.4", purl="pkg:generic/libxml2@2.9.4")

    def on(version: str) -> object:
        subject = Component(ref="mxview", name="MXview", version=version, supplier="Moxa Inc.")
        return apply_statements(
            {"CVE-2018-7506"}, library, sbom(library, subject=subject), document.statements
        )

    inside = on("2.8").application  # type: ignore[attr-defined]
    assert inside is not None and inside.status is VexStatus.AFFECTED
    assert inside.scope == "product (by vendor, name and version)" and inside.confidence == "parsed_range"
    assert "inside '<= 2.8'" in (inside.match_reason or "")
    assert on("2.9").application is None  # type: ignore[attr-defined]


def test_unreadable_range_is_listed_for_review_never_applied(corpus: Path) -> None:
    """ICSA-21-278-03: MXview Network Management Software ">= 3.x | <= 3.2.2"."""
    document = read_vex(corpus / CISA / "2021/icsa-21-278-03.json")
    library = component("libxml2", "2.9.4", purl="pkg:generic/libxml2@2.9.4")
    subject = Component(
        ref="mxview", name="MXview Network Management Software", version="3.1", supplier="Moxa"
    )
    applied = apply_statements(
        {"CVE-2021-38452"}, library, sbom(library, subject=subject), document.statements
    )
    assert applied.application is None
    assert len(applied.review) == 1 and "needs review" in applied.review[0] and "3.x" in applied.review[0]


@pytest.fixture
def own_vex(asset: Callable[[str], Path]) -> Path:
    return asset("vex/ka9-csaf-vex-by-name.json")


def test_resolver_confidence_decides_what_applies(own_vex: Path) -> None:
    document = read_vex(own_vex)
    assert not document.problems
    openssl = component("openssl", "3.0.1", cpe="cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*")
    zlib = component("zlib", "1.2.12", cpe="cpe:2.3:a:zlib:zlib:1.2.12:*:*:*:*:*:*:*")
    target = sbom(openssl, zlib, subject=KA9)
    # range vers:generic/>=5.4.0|<5.5.0, vendor "Kestrel Automation GmbH": parsed_range, applies
    cleared = apply_statements({"CVE-2023-0286"}, openssl, target, document.statements).application
    assert (
        cleared is not None
        and cleared.status is VexStatus.NOT_AFFECTED
        and cleared.confidence == "parsed_range"
    )
    # a condition instead of a range: needs review, the finding stays open
    review = apply_statements({"CVE-2022-3602"}, openssl, target, document.statements)
    assert review.application is None and "needs review" in review.review[0]
    # "KA-9 Safety PLC firmware" only contains the product name: heuristic
    heuristic_clear = apply_statements({"CVE-2022-37434"}, zlib, target, document.statements)
    assert heuristic_clear.application is None and "heuristic match" in heuristic_clear.review[0]
    heuristic_affected = apply_statements({"CVE-2022-0778"}, openssl, target, document.statements).application
    assert heuristic_affected is not None and heuristic_affected.status is VexStatus.AFFECTED
    assert heuristic_affected.confidence == "heuristic"


def test_product_under_assessment_names_the_product_when_the_sbom_does_not(own_vex: Path) -> None:
    document = read_vex(own_vex)
    openssl = component("openssl", "3.0.1", cpe="cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*")
    anonymous = sbom(openssl, subject=Component(ref="fw", name="firmware image", version="5.4.0"))
    assert apply_statements({"CVE-2023-0286"}, openssl, anonymous, document.statements).application is None
    product = ProductIdentity("Kestrel Automation", "KA-9 Safety PLC", "5.4.0")
    applied = apply_statements({"CVE-2023-0286"}, openssl, anonymous, document.statements, product)
    assert applied.application is not None and applied.application.status is VexStatus.NOT_AFFECTED
    other_version = ProductIdentity("Kestrel Automation", "KA-9 Safety PLC", "5.5.0")
    assert (
        apply_statements(
            {"CVE-2023-0286"}, openssl, anonymous, document.statements, other_version
        ).application
        is None
    )


def test_relationship_names_one_component_inside_the_product() -> None:
    """CSAF relationship "OpenSSL 3.0.1 default_component_of KA-9 5.4.0": a statement about that
    component in that product, never about every component of the product."""
    doc = {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "title": "t",
            "publisher": {
                "category": "vendor",
                "name": "Kestrel Automation",
                "namespace": "https://k.example",
            },
            "tracking": {"id": "T-1", "current_release_date": "2026-08-01T00:00:00Z"},
        },
        "product_tree": {
            "branches": [
                {
                    "category": "vendor",
                    "name": "Kestrel Automation",
                    "branches": [
                        {
                            "category": "product_name",
                            "name": "KA-9 Safety PLC",
                            "branches": [
                                {
                                    "category": "product_version",
                                    "name": "5.4.0",
                                    "product": {"name": "KA-9 5.4.0", "product_id": "KA9"},
                                }
                            ],
                        }
                    ],
                },
                {
                    "category": "vendor",
                    "name": "OpenSSL Project",
                    "branches": [
                        {
                            "category": "product_name",
                            "name": "openssl",
                            "branches": [
                                {
                                    "category": "product_version",
                                    "name": "3.0.1",
                                    "product": {"name": "OpenSSL 3.0.1", "product_id": "OSSL"},
                                }
                            ],
                        }
                    ],
                },
            ],
            "relationships": [
                {
                    "category": "default_component_of",
                    "product_reference": "OSSL",
                    "relates_to_product_reference": "KA9",
                    "full_product_name": {"name": "OpenSSL 3.0.1 in KA-9 5.4.0", "product_id": "OSSL-IN-KA9"},
                }
            ],
        },
        "vulnerabilities": [
            {
                "cve": "CVE-2023-0286",
                "product_status": {"known_not_affected": ["OSSL-IN-KA9"]},
                "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["OSSL-IN-KA9"]}],
            }
        ],
    }
    from otvet.formats.vex import read_vex_document

    document = read_vex_document(doc, "relationship.json")
    (statement,) = document.statements
    assert [s.name for s in statement.products] == ["KA-9 Safety PLC"]
    assert [s.name for s in statement.subcomponents] == ["openssl"]
    openssl = Component(ref="o", name="openssl", version="3.0.1", supplier="OpenSSL Project")
    zlib = Component(ref="z", name="zlib", version="1.2.12", supplier="zlib project")
    target = sbom(openssl, zlib, subject=KA9)
    applied = apply_statements({"CVE-2023-0286"}, openssl, target, document.statements).application
    assert (
        applied is not None
        and applied.status is VexStatus.NOT_AFFECTED
        and applied.scope.startswith("component")
    )
    assert apply_statements({"CVE-2023-0286"}, zlib, target, document.statements).application is None
    elsewhere = sbom(
        openssl, subject=Component(ref="x", name="KA-7", version="5.4.0", supplier="Kestrel Automation")
    )
    assert apply_statements({"CVE-2023-0286"}, openssl, elsewhere, document.statements).application is None


def test_knowledge_base_match_applies_csaf_vex_and_reports_review(
    kb: KnowledgeBase, corpus: Path, own_vex: Path
) -> None:
    """Through the store (SQLite and PostgreSQL): real NVD records, our CSAF VEX by product name."""
    for cve in ("CVE-2023-0286", "CVE-2022-3602", "CVE-2022-0778", "CVE-2022-37434"):
        kb.import_data("nvd", corpus / "nvd" / f"{cve}.json", now=NOW)
    openssl = component("openssl", "3.0.1", cpe="cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*")
    zlib = component("zlib", "1.2.12", cpe="cpe:2.3:a:zlib:zlib:1.2.12:*:*:*:*:*:*:*")
    document = read_vex(own_vex)
    report = kb.match(
        sbom(openssl, zlib, subject=Component(ref="fw", name="fw", version="5.4.0")),
        document.statements,
        now=datetime(2026, 9, 1, tzinfo=UTC),
        product=ProductIdentity("Kestrel Automation", "KA-9 Safety PLC", "5.4.0"),
    )
    by_id = {(m.vulnerability, m.component): m for m in report.matches}
    cleared = by_id[("CVE-2023-0286", "openssl@3.0.1")]
    assert cleared.resolved_by_vex and cleared.vex is not None and cleared.vex.confidence == "parsed_range"
    pending = by_id[("CVE-2022-3602", "openssl@3.0.1")]
    assert not pending.resolved_by_vex and pending.vex_review
    assert any("CVE-2022-3602" in p.message and "review it by hand" in p.message for p in report.problems)
    assert not by_id[("CVE-2022-37434", "zlib@1.2.12")].resolved_by_vex
    # statements waiting for review are not reported as applying to nothing
    assert all(s.vulnerability not in ("CVE-2022-3602", "CVE-2022-37434") for s in report.unused_statements)
