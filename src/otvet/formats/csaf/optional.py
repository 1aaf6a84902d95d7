"""The cheap optional (CSAF 2.0 section 6.2) and informative (section 6.3) tests.

Optional failures are warnings, informative ones information; neither makes a document
invalid. Tests that need the network (6.3.6-6.3.8 check URLs, 6.3.9-6.3.11 need a spell
checker) or a full re-serialisation (6.2.13 sorting, 6.2.20 additional properties, which the
2.0 schema already forbids) are not implemented; :data:`NOT_IMPLEMENTED` says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from otvet.formats.csaf.mandatory import (
    _AFFECTED,
    _dict,
    _list,
    _revisions,
    _str,
    _timestamp,
    _tracking,
    group_members,
    product_definitions,
    product_references,
)
from otvet.model.csaf import CheckGroup, CsafIssue

Test = Callable[[Any], list[CsafIssue]]


def _warn(test_id: str, pointer: str, message: str) -> CsafIssue:
    return CsafIssue(test_id, CheckGroup.OPTIONAL, pointer, message)


def _info(test_id: str, pointer: str, message: str) -> CsafIssue:
    return CsafIssue(test_id, CheckGroup.INFORMATIVE, pointer, message)


def test_6_2_1(doc: Any) -> list[CsafIssue]:
    """Unused Definition of Product ID (not for informational advisories, which have no
    vulnerabilities to refer to their products: OASIS test case 6-2-01-11)."""
    if _dict(_dict(doc).get("document")).get("category") == "csaf_informational_advisory":
        return []
    used = {pid for pid, _ in product_references(doc)}
    return [
        _warn("6.2.1", f"{where}/product_id", f"product id {product.get('product_id')!r} is never referenced")
        for product, where in product_definitions(doc)
        if isinstance(product.get("product_id"), str) and product["product_id"] not in used
    ]


def _affected(vuln: dict[str, Any]) -> list[tuple[str, str]]:
    status = _dict(vuln.get("product_status"))
    return [(key, pid) for key in _AFFECTED for pid in _list(status.get(key)) if isinstance(pid, str)]


def test_6_2_2(doc: Any) -> list[CsafIssue]:
    """Missing Remediation for an affected product."""
    groups = group_members(doc)
    issues: list[CsafIssue] = []
    for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        vuln = _dict(vuln)
        covered: set[str] = set()
        for rem in _list(vuln.get("remediations")):
            rem = _dict(rem)
            covered |= {p for p in _list(rem.get("product_ids")) if isinstance(p, str)}
            for gid in _list(rem.get("group_ids")):
                covered |= set(groups.get(gid, ()))
        issues.extend(
            _warn(
                "6.2.2",
                f"/vulnerabilities/{v}/product_status/{key}",
                f"no remediation for affected product {pid!r}",
            )
            for key, pid in _affected(vuln)
            if pid not in covered
        )
    return issues


def test_6_2_3(doc: Any) -> list[CsafIssue]:
    """Missing Score for an affected product."""
    issues: list[CsafIssue] = []
    for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        vuln = _dict(vuln)
        scored = {p for s in _list(vuln.get("scores")) for p in _list(_dict(s).get("products"))}
        issues.extend(
            _warn(
                "6.2.3",
                f"/vulnerabilities/{v}/product_status/{key}",
                f"no score for affected product {pid!r}",
            )
            for key, pid in _affected(vuln)
            if pid not in scored
        )
    return issues


def test_6_2_4(doc: Any) -> list[CsafIssue]:
    """Build Metadata in Revision History."""
    return [
        _warn(
            "6.2.4",
            f"/document/tracking/revision_history/{i}/number",
            f"revision {r['number']} carries build metadata",
        )
        for i, r in enumerate(_revisions(doc) or [])
        if "+" in r["number"]
    ]


def _release_vs_history(doc: Any, field: str, test_id: str, newest: bool) -> list[CsafIssue]:
    history = _revisions(doc)
    date = _str(_tracking(doc).get(field))
    if not history or date is None:
        return []
    stamps = [_timestamp(r["date"]) for r in history]
    bound = max(stamps) if newest else min(stamps)
    given = _timestamp(date)
    if given < bound:
        return [
            _warn(
                test_id, f"/document/tracking/{field}", f"{field} {date} disagrees with the revision history"
            )
        ]
    return []


def test_6_2_5(doc: Any) -> list[CsafIssue]:
    """Older Initial Release Date than Revision History."""
    return _release_vs_history(doc, "initial_release_date", "6.2.5", newest=False)


def test_6_2_6(doc: Any) -> list[CsafIssue]:
    """Older Current Release Date than Revision History."""
    return _release_vs_history(doc, "current_release_date", "6.2.6", newest=True)


def test_6_2_7(doc: Any) -> list[CsafIssue]:
    """Missing Date in Involvements."""
    return [
        _warn("6.2.7", f"/vulnerabilities/{v}/involvements/{i}", "involvement without a date")
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for i, inv in enumerate(_list(_dict(vuln).get("involvements")))
        if isinstance(inv, dict) and "date" not in inv
    ]


def _only_hash(doc: Any, algorithm: str, test_id: str) -> list[CsafIssue]:
    issues: list[CsafIssue] = []
    for product, where in product_definitions(doc):
        for h, item in enumerate(_list(_dict(product.get("product_identification_helper")).get("hashes"))):
            algorithms = {
                str(_dict(fh).get("algorithm", "")).lower() for fh in _list(_dict(item).get("file_hashes"))
            }
            if algorithms == {algorithm}:
                issues.append(
                    _warn(
                        test_id,
                        f"{where}/product_identification_helper/hashes/{h}",
                        f"{algorithm.upper()} is the only hash",
                    )
                )
    return issues


def test_6_2_8(doc: Any) -> list[CsafIssue]:
    """Use of MD5 as the only Hash Algorithm."""
    return _only_hash(doc, "md5", "6.2.8")


def test_6_2_9(doc: Any) -> list[CsafIssue]:
    """Use of SHA-1 as the only Hash Algorithm."""
    return _only_hash(doc, "sha1", "6.2.9")


def test_6_2_10(doc: Any) -> list[CsafIssue]:
    """Missing TLP label."""
    distribution = _dict(_dict(_dict(doc).get("document")).get("distribution"))
    if "label" not in _dict(distribution.get("tlp")):
        return [_warn("6.2.10", "/document/distribution/tlp/label", "no TLP label")]
    return []


def test_6_2_12(doc: Any) -> list[CsafIssue]:
    """Missing Document Language."""
    if "lang" not in _dict(_dict(doc).get("document")):
        return [_warn("6.2.12", "/document/lang", "no document language")]
    return []


def test_6_2_16(doc: Any) -> list[CsafIssue]:
    """Missing Product Identification Helper."""
    return [
        _warn("6.2.16", where, f"product {product.get('product_id')!r} has no product identification helper")
        for product, where in product_definitions(doc)
        if "product_identification_helper" not in product
    ]


def test_6_2_17(doc: Any) -> list[CsafIssue]:
    """CVE in field IDs."""
    return [
        _warn("6.2.17", f"/vulnerabilities/{v}/ids/{i}/text", "a CVE id belongs in the cve field")
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for i, item in enumerate(_list(_dict(vuln).get("ids")))
        if re.match(r"^CVE-\d{4}-\d{4,}$", str(_dict(item).get("text", "")))
    ]


def test_6_2_18(doc: Any) -> list[CsafIssue]:
    """Product Version Range without vers."""
    issues: list[CsafIssue] = []
    stack: list[tuple[Any, str]] = [
        (_dict(_dict(doc).get("product_tree")).get("branches"), "/product_tree/branches")
    ]
    while stack:
        items, where = stack.pop()
        for index, branch in enumerate(_list(items)):
            branch = _dict(branch)
            name = _str(branch.get("name"))
            if (
                branch.get("category") == "product_version_range"
                and name is not None
                and not name.startswith("vers:")
            ):
                issues.append(
                    _warn("6.2.18", f"{where}/{index}/name", f"range {name!r} is not in vers syntax")
                )
            if "branches" in branch:
                stack.append((branch["branches"], f"{where}/{index}/branches"))
    return issues


def test_6_3_1(doc: Any) -> list[CsafIssue]:
    """Use of CVSS v2 as the only Scoring System."""
    return [
        _info("6.3.1", f"/vulnerabilities/{v}/scores/{s}", "CVSS v2 is the only score")
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for s, score in enumerate(_list(_dict(vuln).get("scores")))
        if isinstance(score, dict) and "cvss_v2" in score and "cvss_v3" not in score
    ]


def test_6_3_2(doc: Any) -> list[CsafIssue]:
    """Use of CVSS v3.0."""
    return [
        _info(
            "6.3.2", f"/vulnerabilities/{v}/scores/{s}/cvss_v3/version", "CVSS v3.0 is used; v3.1 is current"
        )
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for s, score in enumerate(_list(_dict(vuln).get("scores")))
        if _dict(_dict(score).get("cvss_v3")).get("version") == "3.0"
    ]


OPTIONAL_TESTS: dict[str, Test] = {
    "6.2.1": test_6_2_1,
    "6.2.2": test_6_2_2,
    "6.2.3": test_6_2_3,
    "6.2.4": test_6_2_4,
    "6.2.5": test_6_2_5,
    "6.2.6": test_6_2_6,
    "6.2.7": test_6_2_7,
    "6.2.8": test_6_2_8,
    "6.2.9": test_6_2_9,
    "6.2.10": test_6_2_10,
    "6.2.12": test_6_2_12,
    "6.2.16": test_6_2_16,
    "6.2.17": test_6_2_17,
    "6.2.18": test_6_2_18,
}
INFORMATIVE_TESTS: dict[str, Test] = {"6.3.1": test_6_3_1, "6.3.2": test_6_3_2}

NOT_IMPLEMENTED: dict[str, str] = {
    "6.2.11": "Missing Canonical URL: needs the file name the document is served under",
    "6.2.13": "Sorting: key order is lost when JSON is parsed",
    "6.2.14": "Use of Private Language: left to 6.1.12's registry check",
    "6.2.15": "Use of Default Language: left to 6.1.12's registry check",
    "6.2.19": "CVSS for Fixed Products: not cheap to decide with product groups",
    "6.2.20": "Additional Properties: the CSAF 2.0 schema already forbids them",
    "6.3.3": "Missing CVSS v3.1: covered by 6.3.2",
    "6.3.4": "Missing CWE: informative only",
    "6.3.5": "Use of Short Hash: informative only",
    "6.3.6": "Use of non-self referencing URLs Failing to Resolve: needs the network",
    "6.3.7": "Use of self referencing URLs Failing to Resolve: needs the network",
    "6.3.8": "Spell check: needs a dictionary",
    "6.3.9": "Branch Categories: informative only",
    "6.3.10": "Usage of Product Version Range: reported by 6.2.18",
    "6.3.11": "Usage of V as Version Indicator: informative only",
}
"""Optional and informative tests that do not run, with the reason."""
