"""CPE matching against real NVD records (public corpus), table-driven, on SQLite and PostgreSQL.

Each case gives a component CPE (or purl), a CVE of the corpus, and whether it must match and
on which basis. Expected values come from reading the NVD records by hand (quoted per case).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from otvet.knowledge import KnowledgeBase
from otvet.model.vulnerabilities import MatchBasis
from tests.knowledge.conftest import NOW, component, sbom

pytestmark = pytest.mark.corpus

OPENSSL = "cpe:2.3:a:openssl:openssl:{}:*:*:*:*:*:*:*"
ZLIB = "cpe:2.3:a:zlib:zlib:{}:*:*:*:*:*:*:*"
LOG4J = "cpe:2.3:a:apache:log4j:{}:*:*:*:*:*:*:*"

CASES = [
    # CVE-2023-0286: openssl >= 1.1.1 and < 1.1.1t (also 1.0.2..1.0.2zg, 3.0.0..3.0.8)
    ("in range", OPENSSL.format("1.1.1k"), "CVE-2023-0286", MatchBasis.CPE_RANGE),
    ("start including boundary", OPENSSL.format("1.1.1"), "CVE-2023-0286", MatchBasis.CPE_RANGE),
    ("end excluding boundary", OPENSSL.format("1.1.1t"), "CVE-2023-0286", None),
    ("between ranges", OPENSSL.format("2.0.0"), "CVE-2023-0286", None),
    ("letter release inside", OPENSSL.format("1.0.2zf"), "CVE-2023-0286", MatchBasis.CPE_RANGE),
    ("letter release at end", OPENSSL.format("1.0.2zg"), "CVE-2023-0286", None),
    # CVE-2022-37434: zlib through 1.2.12 (versionEndIncluding)
    ("end including boundary", ZLIB.format("1.2.12"), "CVE-2022-37434", MatchBasis.CPE_RANGE),
    ("after end including", ZLIB.format("1.2.13"), "CVE-2022-37434", None),
    # CVE-2021-44228: log4j 2.13.0 <= v < 2.15.0, plus exact entries such as 2.0:beta9
    ("log4j in range", LOG4J.format("2.14.1"), "CVE-2021-44228", MatchBasis.CPE_RANGE),
    ("log4j fixed", LOG4J.format("2.15.0"), "CVE-2021-44228", None),
    (
        "exact version and update",
        "cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*",
        "CVE-2021-44228",
        MatchBasis.CPE_EXACT,
    ),
    ("exact version, other update", "cpe:2.3:a:apache:log4j:2.0:beta1:*:*:*:*:*:*", "CVE-2021-44228", None),
    # CVE-2018-0171: cisco ios 15.2(5)e only (escaped parentheses in the CPE)
    (
        "exact escaped version",
        "cpe:2.3:o:cisco:ios:15.2\\(5\\)e:*:*:*:*:*:*:*",
        "CVE-2018-0171",
        MatchBasis.CPE_EXACT,
    ),
    ("other exact version", "cpe:2.3:o:cisco:ios:15.2\\(4\\)e:*:*:*:*:*:*:*", "CVE-2018-0171", None),
    # CVE-2017-12741: siemens ..._firmware:- (NA version) in AND configurations with hardware
    (
        "NA matches NA",
        "cpe:2.3:o:siemens:simatic_s7-300_firmware:-:*:*:*:*:*:*:*",
        "CVE-2017-12741",
        MatchBasis.CPE_EXACT,
    ),
    (
        "NA criterion vs concrete version",
        "cpe:2.3:o:siemens:simatic_s7-300_firmware:3.3.1:*:*:*:*:*:*:*",
        "CVE-2017-12741",
        None,
    ),
    # CVE-2020-11896: treck tcp\/ip < 6.0.1.66 (escaped slash in the product)
    (
        "escaped product",
        "cpe:2.3:a:treck:tcp\\/ip:6.0.1.41:*:*:*:*:*:*:*",
        "CVE-2020-11896",
        MatchBasis.CPE_RANGE,
    ),
    # wrong vendor: the same product name by another vendor never matches
    ("wrong vendor openssl", "cpe:2.3:a:acme:openssl:1.1.1k:*:*:*:*:*:*:*", "CVE-2023-0286", None),
    ("wrong vendor node.js", "cpe:2.3:a:example:node.js:18.12.0:*:*:*:*:*:*:*", "CVE-2022-3602", None),
    ("wrong part", "cpe:2.3:o:openssl:openssl:1.1.1k:*:*:*:*:*:*:*", "CVE-2023-0286", None),
]


@pytest.fixture
def nvd_kb(kb: KnowledgeBase, corpus: Path) -> KnowledgeBase:
    report = kb.import_data("nvd", corpus / "nvd", now=NOW)
    assert report.records == 35 and report.problem_count == 0
    return kb


def test_nvd_cpe_cases(nvd_kb: KnowledgeBase) -> None:
    components = [component(f"c{i}", "x", cpe=cpe, ref=f"case-{i}") for i, (_, cpe, _, _) in enumerate(CASES)]
    report = nvd_kb.match(sbom(*components), now=NOW)
    found = {(m.component_ref, m.vulnerability): m for m in report.matches}
    wrong = []
    for i, (label, cpe, cve, basis) in enumerate(CASES):
        match = found.get((f"case-{i}", cve))
        got = match.basis if match else None
        if got != basis:
            wrong.append(f"{label}: {cpe} vs {cve}: expected {basis}, got {got}")
    assert wrong == []


def test_same_named_package_of_another_ecosystem_never_matches_nvd(nvd_kb: KnowledgeBase) -> None:
    """anchore/grype#580: the npm package ``nx`` matched Siemens NX. Packages named like NVD
    products (openssl, log4j, zlib) without a CPE of that vendor must not match."""
    components = [
        component("openssl", "1.1.1k", purl="pkg:npm/openssl@1.1.1k"),
        component("log4j", "2.14.1", purl="pkg:pypi/log4j@2.14.1"),
        component("zlib", "1.2.11", purl="pkg:generic/zlib@1.2.11"),
        component("nx", "15.0.0", purl="pkg:npm/nx@15.0.0"),
        component("zlib", "1.2.11"),  # a bare name
    ]
    report = nvd_kb.match(sbom(*components), now=NOW)
    assert report.matches == ()
    reasons = {u.component: u.reason for u in report.unmatchable}
    assert (
        "no vulnerability database ecosystem" in reasons["zlib@1.2.11"] or "neither" in reasons["zlib@1.2.11"]
    )
    assert (
        len(report.unmatchable) == 2
    )  # pkg:generic and the bare name; npm/pypi are matchable, just not in NVD


def test_and_configuration_is_reported_as_a_condition(nvd_kb: KnowledgeBase) -> None:
    """CVE-2019-10953: ABB PM554 firmware is vulnerable only on the PM554 hardware."""
    report = nvd_kb.match(
        sbom(component("fw", "-", cpe="cpe:2.3:o:abb:pm554-tp-eth_firmware:-:*:*:*:*:*:*:*")), now=NOW
    )
    (match,) = [m for m in report.matches if m.vulnerability == "CVE-2019-10953"]
    assert match.evidence[0].note is not None
    assert "cpe:2.3:h:abb:pm554-tp-eth:-" in match.evidence[0].note


def test_component_cpe_without_version_is_unmatchable(nvd_kb: KnowledgeBase) -> None:
    report = nvd_kb.match(sbom(component("openssl", None, cpe=OPENSSL.format("*"))), now=NOW)
    assert report.matches == ()
    assert "names no version" in report.unmatchable[0].reason


def test_severity_and_fixed_version_come_from_the_record(nvd_kb: KnowledgeBase) -> None:
    report = nvd_kb.match(sbom(component("openssl", "1.1.1k", cpe=OPENSSL.format("1.1.1k"))), now=NOW)
    by_id = {m.vulnerability: m for m in report.matches}
    # CVE-2023-0286: NVD primary CVSS 3.1 score 7.4 HIGH; fixed in 1.1.1t for the 1.1.1 line
    assert by_id["CVE-2023-0286"].cvss_score == 7.4
    assert by_id["CVE-2023-0286"].severity.value == "high"
    assert "1.1.1t" in by_id["CVE-2023-0286"].fixed_versions
    assert by_id["CVE-2023-0286"].evidence[0].data_set.endswith("nvd")
