"""The mandatory tests of CSAF 2.0 section 6.1 (all 43 of them, 6.1.1 to 6.1.33 with 6.1.27.1-11).

Each test is a function ``(doc) -> list[CsafIssue]`` registered in :data:`MANDATORY_TESTS` under
its section number. Tests read the document defensively: the schema check runs first and
reports structural problems, so a test skips values of the wrong type instead of crashing.

Where the prose leaves room, we follow the OASIS test cases (``csaf_2.0/test/validator``) and
the behaviour of the OASIS-listed validator (secvisogram csaf-validator-lib); deviations are
stated at the test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from cvss import CVSS2, CVSS3
from cvss.exceptions import CVSSError
from language_tags import tags as language_tags
from packageurl import PackageURL

from otvet.model.csaf import CheckGroup, CsafIssue

Test = Callable[[Any], list[CsafIssue]]

_AFFECTED = ("first_affected", "known_affected", "last_affected")
_NOT_AFFECTED = ("known_not_affected",)
_FIXED = ("first_fixed", "fixed")
_UNDER_INVESTIGATION = ("under_investigation",)
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "affected": _AFFECTED,
    "not affected": _NOT_AFFECTED,
    "fixed": _FIXED,
    "under investigation": _UNDER_INVESTIGATION,
}
STATUS_KEYS = _AFFECTED + _NOT_AFFECTED + _FIXED + _UNDER_INVESTIGATION

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_INTEGER = re.compile(r"^(0|[1-9]\d*)$")


def _issue(test_id: str, pointer: str, message: str) -> CsafIssue:
    return CsafIssue(test_id, CheckGroup.MANDATORY, pointer, message)


# --- walking the document -------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _branch_products(branches: Any, base: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Every ``product`` in a branch tree, with its pointer (iterative: trees can be deep)."""
    stack: list[tuple[Any, str]] = [(branches, base)]
    while stack:
        items, where = stack.pop()
        for index, branch in enumerate(_list(items)):
            if not isinstance(branch, dict):
                continue
            here = f"{where}/{index}"
            if isinstance(branch.get("product"), dict):
                yield branch["product"], f"{here}/product"
            if "branches" in branch:
                stack.append((branch["branches"], f"{here}/branches"))


def product_definitions(doc: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every full product name definition: branches, ``full_product_names``, relationships."""
    tree = _dict(_dict(doc).get("product_tree"))
    yield from _branch_products(tree.get("branches"), "/product_tree/branches")
    for index, item in enumerate(_list(tree.get("full_product_names"))):
        if isinstance(item, dict):
            yield item, f"/product_tree/full_product_names/{index}"
    for index, rel in enumerate(_list(tree.get("relationships"))):
        if isinstance(rel, dict) and isinstance(rel.get("full_product_name"), dict):
            yield rel["full_product_name"], f"/product_tree/relationships/{index}/full_product_name"


def product_references(doc: Any) -> Iterator[tuple[str, str]]:
    """Every place that refers to a product id: (id, pointer)."""
    doc = _dict(doc)
    tree = _dict(doc.get("product_tree"))
    for g_index, group in enumerate(_list(tree.get("product_groups"))):
        for p_index, pid in enumerate(_list(_dict(group).get("product_ids"))):
            if isinstance(pid, str):
                yield pid, f"/product_tree/product_groups/{g_index}/product_ids/{p_index}"
    for r_index, rel in enumerate(_list(tree.get("relationships"))):
        for key in ("product_reference", "relates_to_product_reference"):
            pid = _dict(rel).get(key)
            if isinstance(pid, str):
                yield pid, f"/product_tree/relationships/{r_index}/{key}"
    for v_index, vuln in enumerate(_list(doc.get("vulnerabilities"))):
        vuln = _dict(vuln)
        base = f"/vulnerabilities/{v_index}"
        status = _dict(vuln.get("product_status"))
        for key in STATUS_KEYS:
            for p_index, pid in enumerate(_list(status.get(key))):
                if isinstance(pid, str):
                    yield pid, f"{base}/product_status/{key}/{p_index}"
        for field, inner in (
            ("remediations", "product_ids"),
            ("scores", "products"),
            ("threats", "product_ids"),
            ("flags", "product_ids"),
        ):
            for i_index, item in enumerate(_list(vuln.get(field))):
                for p_index, pid in enumerate(_list(_dict(item).get(inner))):
                    if isinstance(pid, str):
                        yield pid, f"{base}/{field}/{i_index}/{inner}/{p_index}"


def group_references(doc: Any) -> Iterator[tuple[str, str]]:
    """Every place that refers to a product group id: (id, pointer)."""
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        for field in ("remediations", "threats", "flags"):
            for i_index, item in enumerate(_list(_dict(vuln).get(field))):
                for g_index, gid in enumerate(_list(_dict(item).get("group_ids"))):
                    if isinstance(gid, str):
                        yield gid, f"/vulnerabilities/{v_index}/{field}/{i_index}/group_ids/{g_index}"


def group_members(doc: Any) -> dict[str, list[str]]:
    """Product group id -> product ids."""
    groups: dict[str, list[str]] = {}
    for group in _list(_dict(_dict(doc).get("product_tree")).get("product_groups")):
        group = _dict(group)
        gid = _str(group.get("group_id"))
        if gid is not None:
            groups.setdefault(gid, []).extend(
                p for p in _list(group.get("product_ids")) if isinstance(p, str)
            )
    return groups


def _expand(item: dict[str, Any], groups: dict[str, list[str]], key: str = "product_ids") -> set[str]:
    ids = {p for p in _list(item.get(key)) if isinstance(p, str)}
    for gid in _list(item.get("group_ids")):
        if isinstance(gid, str):
            ids.update(groups.get(gid, ()))
    return ids


def _category(doc: Any) -> str | None:
    return _str(_dict(_dict(doc).get("document")).get("category"))


def _tracking(doc: Any) -> dict[str, Any]:
    return _dict(_dict(_dict(doc).get("document")).get("tracking"))


def _revisions(doc: Any) -> list[dict[str, Any]] | None:
    history = _tracking(doc).get("revision_history")
    if not isinstance(history, list) or not all(
        isinstance(r, dict) and isinstance(r.get("number"), str) and isinstance(r.get("date"), str)
        for r in history
    ):
        return None
    return history


def _timestamp(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")


def _version_key(number: str) -> tuple[int, int, int, int, tuple[Any, ...]]:
    """Order of integer and semantic versions (semver precedence; build metadata ignored)."""
    if _INTEGER.match(number):
        return (int(number), 0, 0, 1, ())
    match = _SEMVER.match(number)
    if not match:
        return (-1, 0, 0, 0, (number,))
    pre = match.group(4)
    parts: tuple[Any, ...] = ()
    if pre:
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(match.group(1)), int(match.group(2)), int(match.group(3)), 0 if pre else 1, parts)


def _by_date(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Revisions sorted by date; revisions of the same moment by their number."""
    return sorted(history, key=lambda r: (_timestamp(r["date"]), _version_key(r["number"])))


def _is_prerelease(number: str) -> bool:
    match = _SEMVER.match(number)
    return bool(match and match.group(4))


def _major_zero(number: str) -> bool:
    if _INTEGER.match(number):
        return number == "0"
    match = _SEMVER.match(number)
    return bool(match and match.group(1) == "0")


# --- 6.1.1 to 6.1.5: product and group ids --------------------------------------------------


def test_6_1_1(doc: Any) -> list[CsafIssue]:
    """Missing Definition of Product ID."""
    defined = {p.get("product_id") for p, _ in product_definitions(doc)}
    return [
        _issue("6.1.1", where, f"product id {pid!r} is not defined in the product tree")
        for pid, where in product_references(doc)
        if pid not in defined
    ]


def test_6_1_2(doc: Any) -> list[CsafIssue]:
    """Multiple Definition of Product ID."""
    seen: dict[str, str] = {}
    issues = []
    for product, where in product_definitions(doc):
        pid = _str(product.get("product_id"))
        if pid is None:
            continue
        if pid in seen:
            issues.append(
                _issue("6.1.2", f"{where}/product_id", f"product id {pid!r} already defined at {seen[pid]}")
            )
        else:
            seen[pid] = where
    return issues


def test_6_1_3(doc: Any) -> list[CsafIssue]:
    """Circular Definition of Product ID (through relationships)."""
    edges: dict[str, set[str]] = {}
    where_of: dict[str, str] = {}
    for index, rel in enumerate(_list(_dict(_dict(doc).get("product_tree")).get("relationships"))):
        rel = _dict(rel)
        pid = _str(_dict(rel.get("full_product_name")).get("product_id"))
        if pid is None:
            continue
        refs = {
            r
            for r in (rel.get("product_reference"), rel.get("relates_to_product_reference"))
            if isinstance(r, str)
        }
        edges.setdefault(pid, set()).update(refs)
        where_of.setdefault(pid, f"/product_tree/relationships/{index}/full_product_name/product_id")
    issues = []
    for start, targets in edges.items():
        stack, seen = list(targets), set()
        while stack:
            node = stack.pop()
            if node == start:
                issues.append(
                    _issue("6.1.3", where_of[start], f"product id {start!r} is defined in terms of itself")
                )
                break
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return issues


def test_6_1_4(doc: Any) -> list[CsafIssue]:
    """Missing Definition of Product Group ID."""
    defined = set(group_members(doc))
    return [
        _issue("6.1.4", where, f"product group id {gid!r} is not defined in the product tree")
        for gid, where in group_references(doc)
        if gid not in defined
    ]


def test_6_1_5(doc: Any) -> list[CsafIssue]:
    """Multiple Definition of Product Group ID."""
    seen: set[str] = set()
    issues = []
    for index, group in enumerate(_list(_dict(_dict(doc).get("product_tree")).get("product_groups"))):
        gid = _str(_dict(group).get("group_id"))
        if gid is None:
            continue
        if gid in seen:
            issues.append(
                _issue(
                    "6.1.5",
                    f"/product_tree/product_groups/{index}/group_id",
                    f"group id {gid!r} defined twice",
                )
            )
        seen.add(gid)
    return issues


# --- 6.1.6 to 6.1.11: vulnerabilities, scores, CWE ------------------------------------------


def test_6_1_6(doc: Any) -> list[CsafIssue]:
    """Contradicting Product Status."""
    issues = []
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        status = _dict(_dict(vuln).get("product_status"))
        group_of: dict[str, str] = {}
        for group, keys in STATUS_GROUPS.items():
            for key in keys:
                for p_index, pid in enumerate(_list(status.get(key))):
                    if not isinstance(pid, str):
                        continue
                    previous = group_of.get(pid)
                    if previous is not None and previous != group:
                        issues.append(
                            _issue(
                                "6.1.6",
                                f"/vulnerabilities/{v_index}/product_status/{key}/{p_index}",
                                f"product {pid!r} is both '{previous}' and '{group}'",
                            )
                        )
                    group_of.setdefault(pid, group)
    return issues


def _cvss_objects(doc: Any) -> Iterator[tuple[str, dict[str, Any], str, list[str]]]:
    """(kind, cvss object, pointer, product ids) for every cvss_v2/cvss_v3 score."""
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        for s_index, score in enumerate(_list(_dict(vuln).get("scores"))):
            score = _dict(score)
            products = [p for p in _list(score.get("products")) if isinstance(p, str)]
            for kind in ("cvss_v2", "cvss_v3"):
                if isinstance(score.get(kind), dict):
                    yield kind, score[kind], f"/vulnerabilities/{v_index}/scores/{s_index}/{kind}", products


def test_6_1_7(doc: Any) -> list[CsafIssue]:
    """Multiple Scores with same Version per Product."""
    issues = []
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        seen: set[tuple[str, str]] = set()
        for s_index, score in enumerate(_list(_dict(vuln).get("scores"))):
            score = _dict(score)
            versions = [
                str(_dict(score.get(kind)).get("version"))
                for kind in ("cvss_v2", "cvss_v3")
                if isinstance(score.get(kind), dict)
            ]
            for p_index, pid in enumerate(_list(score.get("products"))):
                for version in versions:
                    if (pid, version) in seen:
                        issues.append(
                            _issue(
                                "6.1.7",
                                f"/vulnerabilities/{v_index}/scores/{s_index}/products/{p_index}",
                                f"product {pid!r} has more than one CVSS {version} score",
                            )
                        )
                    seen.add((pid, version))
    return issues


def test_6_1_8(doc: Any) -> list[CsafIssue]:
    """Invalid CVSS: the CVSS objects are validated by the schema check (see ``schema.py``)."""
    return []


_V3_SCORES = (
    ("baseScore", 0),
    ("temporalScore", 1),
    ("environmentalScore", 2),
)
_V3_SEVERITIES = (("baseSeverity", 0), ("temporalSeverity", 1), ("environmentalSeverity", 2))


def test_6_1_9(doc: Any) -> list[CsafIssue]:
    """Invalid CVSS computation: scores and severities must follow from the vector."""
    issues = []
    for kind, obj, where, _ in _cvss_objects(doc):
        vector = _str(obj.get("vectorString"))
        if vector is None:
            continue
        try:
            calc: CVSS2 | CVSS3 = CVSS3(vector) if kind == "cvss_v3" else CVSS2(vector)
        except CVSSError:
            continue  # the schema check reports a malformed vector
        scores = calc.scores()
        for field, index in _V3_SCORES:
            given = obj.get(field)
            computed = scores[index]
            if isinstance(given, int | float) and computed is not None and float(given) != float(computed):
                issues.append(
                    _issue(
                        "6.1.9", f"{where}/{field}", f"{field} {given} does not match the vector ({computed})"
                    )
                )
        if isinstance(calc, CVSS3):
            severities = calc.severities()
            for field, index in _V3_SEVERITIES:
                given = obj.get(field)
                if isinstance(given, str) and given.upper() != str(severities[index]).upper():
                    issues.append(
                        _issue(
                            "6.1.9",
                            f"{where}/{field}",
                            f"{field} {given} does not match the vector ({severities[index].upper()})",
                        )
                    )
    return issues


_V3_METRICS = {
    "AV": ("attackVector", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "I": ("integrityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "A": ("availabilityImpact", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "E": (
        "exploitCodeMaturity",
        {"X": "NOT_DEFINED", "U": "UNPROVEN", "P": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"},
    ),
    "RL": (
        "remediationLevel",
        {
            "X": "NOT_DEFINED",
            "O": "OFFICIAL_FIX",
            "T": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
        },
    ),
    "RC": ("reportConfidence", {"X": "NOT_DEFINED", "U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED"}),
    "CR": ("confidentialityRequirement", {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}),
    "IR": ("integrityRequirement", {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}),
    "AR": ("availabilityRequirement", {"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}),
    "MAV": (
        "modifiedAttackVector",
        {"X": "NOT_DEFINED", "N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"},
    ),
    "MAC": ("modifiedAttackComplexity", {"X": "NOT_DEFINED", "L": "LOW", "H": "HIGH"}),
    "MPR": ("modifiedPrivilegesRequired", {"X": "NOT_DEFINED", "N": "NONE", "L": "LOW", "H": "HIGH"}),
    "MUI": ("modifiedUserInteraction", {"X": "NOT_DEFINED", "N": "NONE", "R": "REQUIRED"}),
    "MS": ("modifiedScope", {"X": "NOT_DEFINED", "U": "UNCHANGED", "C": "CHANGED"}),
    "MC": ("modifiedConfidentialityImpact", {"X": "NOT_DEFINED", "H": "HIGH", "L": "LOW", "N": "NONE"}),
    "MI": ("modifiedIntegrityImpact", {"X": "NOT_DEFINED", "H": "HIGH", "L": "LOW", "N": "NONE"}),
    "MA": ("modifiedAvailabilityImpact", {"X": "NOT_DEFINED", "H": "HIGH", "L": "LOW", "N": "NONE"}),
}
_LOW_MED_HIGH = {"ND": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
_V2_METRICS = {
    "AV": ("accessVector", {"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}),
    "AC": ("accessComplexity", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "Au": ("authentication", {"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}),
    "C": ("confidentialityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "I": ("integrityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "A": ("availabilityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "E": (
        "exploitability",
        {"U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "RL": (
        "remediationLevel",
        {
            "OF": "OFFICIAL_FIX",
            "TF": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
            "ND": "NOT_DEFINED",
        },
    ),
    "RC": (
        "reportConfidence",
        {"UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED", "ND": "NOT_DEFINED"},
    ),
    "CDP": (
        "collateralDamagePotential",
        {"N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "TD": ("targetDistribution", {"N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
    "CR": ("confidentialityRequirement", _LOW_MED_HIGH),
    "IR": ("integrityRequirement", _LOW_MED_HIGH),
    "AR": ("availabilityRequirement", _LOW_MED_HIGH),
}


def test_6_1_10(doc: Any) -> list[CsafIssue]:
    """Inconsistent CVSS: every metric property must agree with the vector string."""
    issues = []
    for kind, obj, where, _ in _cvss_objects(doc):
        vector = _str(obj.get("vectorString"))
        if vector is None:
            continue
        parts = vector.split("/")
        table = _V3_METRICS if kind == "cvss_v3" else _V2_METRICS
        if kind == "cvss_v3":
            prefix = parts.pop(0) if parts and parts[0].startswith("CVSS:") else ""
            version = obj.get("version")
            if prefix and isinstance(version, str) and prefix != f"CVSS:{version}":
                issues.append(
                    _issue(
                        "6.1.10",
                        f"{where}/version",
                        f"version {version} does not match the vector ({prefix})",
                    )
                )
        in_vector = dict(p.split(":", 1) for p in parts if ":" in p)
        for abbrev, (field, values) in table.items():
            given = obj.get(field)
            # NOTE: only metrics present in the vector are compared; an absent metric leaves
            # the property free (OASIS test cases 6-2-19-02 and -03 are valid documents).
            if not isinstance(given, str) or abbrev not in in_vector:
                continue
            expected = values.get(in_vector[abbrev])
            if given != expected:
                issues.append(
                    _issue(
                        "6.1.10",
                        f"{where}/{field}",
                        f"{field} {given} contradicts the vector ({expected or 'invalid'})",
                    )
                )
    return issues


@cache
def cwe_names() -> dict[str, str]:
    """CWE id -> official name (MITRE CWE catalog shipped in ``data/cwe-names.json``)."""
    data = json.loads(
        (resources.files("otvet.formats.csaf") / "data" / "cwe-names.json").read_text(encoding="utf-8")
    )
    names: dict[str, str] = data["names"]
    return names


def test_6_1_11(doc: Any) -> list[CsafIssue]:
    """CWE: the id exists and the name is its official name."""
    issues = []
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        cwe = _dict(_dict(vuln).get("cwe"))
        cid, name = _str(cwe.get("id")), _str(cwe.get("name"))
        if cid is None or name is None:
            continue
        official = cwe_names().get(cid)
        if official is None:
            issues.append(
                _issue("6.1.11", f"/vulnerabilities/{v_index}/cwe/id", f"{cid} is not in the CWE catalog")
            )
        elif official != name:
            issues.append(
                _issue(
                    "6.1.11",
                    f"/vulnerabilities/{v_index}/cwe/name",
                    f"the name of {cid} is {official!r}, not {name!r}",
                )
            )
    return issues


# --- 6.1.12 to 6.1.15: language, purl, revision history, translator -------------------------


def test_6_1_12(doc: Any) -> list[CsafIssue]:
    """Language: lang and source_lang are valid BCP 47 language tags (IANA registry)."""
    document = _dict(_dict(doc).get("document"))
    issues = []
    for key in ("lang", "source_lang"):
        value = _str(document.get(key))
        if value is not None and not language_tags.check(value):
            issues.append(_issue("6.1.12", f"/document/{key}", f"{value!r} is not a valid language tag"))
    return issues


def test_6_1_13(doc: Any) -> list[CsafIssue]:
    """PURL: every purl parses as a package URL."""
    issues = []
    for product, where in product_definitions(doc):
        purl = _str(_dict(product.get("product_identification_helper")).get("purl"))
        if purl is None:
            continue
        try:
            PackageURL.from_string(purl)
        except ValueError as exc:
            issues.append(
                _issue("6.1.13", f"{where}/product_identification_helper/purl", f"invalid purl: {exc}")
            )
    return issues


def test_6_1_14(doc: Any) -> list[CsafIssue]:
    """Sorted Revision History: sorted by date, the numbers ascend."""
    history = _revisions(doc)
    if not history:
        return []
    ordered = [r["number"] for r in _by_date(history)]
    keys = [_version_key(n) for n in dict.fromkeys(ordered) if _version_key(n)[0] >= 0]
    if any(later <= earlier for earlier, later in pairwise(keys)):
        return [
            _issue(
                "6.1.14",
                "/document/tracking/revision_history",
                "revision numbers do not ascend with their dates",
            )
        ]
    return []


def test_6_1_15(doc: Any) -> list[CsafIssue]:
    """Translator: a translation names its source language."""
    document = _dict(_dict(doc).get("document"))
    if _dict(document.get("publisher")).get("category") == "translator" and "source_lang" not in document:
        return [
            _issue("6.1.15", "/document/source_lang", "publisher is a translator, but source_lang is missing")
        ]
    return []


# --- 6.1.16 to 6.1.22: versions and revision history ----------------------------------------


def test_6_1_16(doc: Any) -> list[CsafIssue]:
    """Latest Document Version: tracking.version is the number of the latest revision."""
    tracking = _tracking(doc)
    history = _revisions(doc)
    version, status = _str(tracking.get("version")), _str(tracking.get("status"))
    if not history or version is None or status is None:
        return []
    wanted = re.split(r"[+-]", version)[0] if status == "draft" else version.split("+")[0]
    latest = _by_date(history)[-1]
    if latest["number"].split("+")[0] != wanted:
        return [
            _issue(
                "6.1.16",
                "/document/tracking/version",
                f"version {version} is not the latest revision ({latest['number']})",
            )
        ]
    return []


def test_6_1_17(doc: Any) -> list[CsafIssue]:
    """Document Status Draft: versions 0, 0.y.z and pre-releases are drafts."""
    tracking = _tracking(doc)
    version, status = _str(tracking.get("version")), _str(tracking.get("status"))
    if version is None or status is None or status == "draft":
        return []
    if _major_zero(version) or _is_prerelease(version):
        return [
            _issue(
                "6.1.17",
                "/document/tracking/status",
                f"version {version} requires status 'draft', not {status!r}",
            )
        ]
    return []


def test_6_1_18(doc: Any) -> list[CsafIssue]:
    """Released Revision History: a final or interim document has no revision 0 or 0.y.z."""
    if _str(_tracking(doc).get("status")) not in ("final", "interim"):
        return []
    return [
        _issue(
            "6.1.18",
            f"/document/tracking/revision_history/{i}/number",
            f"revision {r['number']} in a released document",
        )
        for i, r in enumerate(_revisions(doc) or [])
        if _major_zero(r["number"])
    ]


def test_6_1_19(doc: Any) -> list[CsafIssue]:
    """Revision History Entries for Pre-release Versions."""
    return [
        _issue(
            "6.1.19",
            f"/document/tracking/revision_history/{i}/number",
            f"revision {r['number']} is a pre-release",
        )
        for i, r in enumerate(_revisions(doc) or [])
        if _is_prerelease(r["number"])
    ]


def test_6_1_20(doc: Any) -> list[CsafIssue]:
    """Non-draft Document Version: a final or interim version is no pre-release."""
    tracking = _tracking(doc)
    version = _str(tracking.get("version"))
    if version and tracking.get("status") in ("final", "interim") and _is_prerelease(version):
        return [
            _issue(
                "6.1.20",
                "/document/tracking/version",
                f"pre-release version {version} in a {tracking['status']} document",
            )
        ]
    return []


def test_6_1_21(doc: Any) -> list[CsafIssue]:
    """Missing Item in Revision History: major versions start at 0 or 1 and have no gaps."""
    history = _revisions(doc)
    if not history:
        return []
    ordered = _by_date(history)
    majors: list[int] = []
    for r in ordered:
        match = re.match(r"^\d+", r["number"])
        if match and int(match.group()) not in majors:
            majors.append(int(match.group()))
    if not majors:
        return []
    if majors[0] not in (0, 1):
        return [
            _issue(
                "6.1.21",
                "/document/tracking/revision_history",
                "sorted by date, the history does not start at 0 or 1",
            )
        ]
    for index, major in enumerate(majors):
        expected = majors[0] + index
        if major > expected:
            return [
                _issue(
                    "6.1.21",
                    "/document/tracking/revision_history",
                    f"version {expected} is missing from the history",
                )
            ]
    return []


def test_6_1_22(doc: Any) -> list[CsafIssue]:
    """Multiple Definition in Revision History."""
    seen: set[str] = set()
    issues = []
    for i, r in enumerate(_revisions(doc) or []):
        if r["number"] in seen:
            issues.append(
                _issue(
                    "6.1.22",
                    f"/document/tracking/revision_history/{i}/number",
                    f"revision {r['number']} listed twice",
                )
            )
        seen.add(r["number"])
    return issues


# --- 6.1.23 to 6.1.26 ------------------------------------------------------------------------


def test_6_1_23(doc: Any) -> list[CsafIssue]:
    """Multiple Use of Same CVE."""
    seen: set[str] = set()
    issues = []
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        cve = _str(_dict(vuln).get("cve"))
        if cve is None:
            continue
        if cve in seen:
            issues.append(
                _issue(
                    "6.1.23",
                    f"/vulnerabilities/{v_index}/cve",
                    f"{cve} appears in more than one vulnerability",
                )
            )
        seen.add(cve)
    return issues


def test_6_1_24(doc: Any) -> list[CsafIssue]:
    """Multiple Definition in Involvements: one party and date only once per vulnerability."""
    issues = []
    for v_index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        seen: set[tuple[Any, Any]] = set()
        for i_index, inv in enumerate(_list(_dict(vuln).get("involvements"))):
            inv = _dict(inv)
            key = (
                inv.get("party"),
                _timestamp(inv["date"]) if isinstance(inv.get("date"), str) else inv.get("date"),
            )
            if key in seen:
                issues.append(
                    _issue(
                        "6.1.24",
                        f"/vulnerabilities/{v_index}/involvements/{i_index}",
                        "same party and date listed twice",
                    )
                )
            seen.add(key)
    return issues


def test_6_1_25(doc: Any) -> list[CsafIssue]:
    """Multiple Use of Same Hash Algorithm."""
    issues = []
    for product, where in product_definitions(doc):
        helper = _dict(product.get("product_identification_helper"))
        for h_index, item in enumerate(_list(helper.get("hashes"))):
            seen: set[str] = set()
            for f_index, fh in enumerate(_list(_dict(item).get("file_hashes"))):
                algorithm = _str(_dict(fh).get("algorithm"))
                if algorithm is None:
                    continue
                if algorithm in seen:
                    issues.append(
                        _issue(
                            "6.1.25",
                            f"{where}/product_identification_helper/hashes/{h_index}/file_hashes/{f_index}/algorithm",
                            f"hash algorithm {algorithm} used twice for one file",
                        )
                    )
                seen.add(algorithm)
    return issues


_PROFILES = (
    "csaf_base",
    "csaf_security_incident_response",
    "csaf_informational_advisory",
    "csaf_security_advisory",
    "csaf_vex",
)


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-\u2010-\u2015\u2212]", "", text).lower()


def test_6_1_26(doc: Any) -> list[CsafIssue]:
    """Prohibited Document Category Name."""
    category = _category(doc)
    if category is None or category in _PROFILES:
        return []
    # NOTE: CSAF 2.0 section 6.1.26: not equal (ignoring case, hyphens, white space and
    # underscores) to another profile's name or value, and no reserved "csaf_" prefix.
    reserved = {_squash(p) for p in _PROFILES[1:]} | {_squash(p[5:]) for p in _PROFILES[1:]}
    if _squash(category) in reserved:
        return [_issue("6.1.26", "/document/category", f"{category!r} imitates a CSAF profile name")]
    if category.lower().startswith("csaf_"):
        return [_issue("6.1.26", "/document/category", f"{category!r} uses the reserved prefix csaf_")]
    return []


# --- 6.1.27: profile tests ----------------------------------------------------------------


def _profile_vulns(doc: Any, *profiles: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if _category(doc) in profiles:
        for index, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
            yield index, _dict(vuln)


_TEXT_PROFILES = ("csaf_informational_advisory", "csaf_security_incident_response")


def test_6_1_27_1(doc: Any) -> list[CsafIssue]:
    """Document Notes: informational and incident documents need a describing note."""
    if _category(doc) not in _TEXT_PROFILES:
        return []
    notes = _list(_dict(_dict(doc).get("document")).get("notes"))
    if not any(_dict(n).get("category") in ("description", "details", "general", "summary") for n in notes):
        return [
            _issue(
                "6.1.27.1",
                "/document/notes",
                "needs a note of category description, details, general or summary",
            )
        ]
    return []


def test_6_1_27_2(doc: Any) -> list[CsafIssue]:
    """Document References: informational and incident documents need an external reference."""
    if _category(doc) not in _TEXT_PROFILES:
        return []
    refs = _list(_dict(_dict(doc).get("document")).get("references"))
    if not any(_dict(r).get("category") == "external" for r in refs):
        return [_issue("6.1.27.2", "/document/references", "needs a reference of category external")]
    return []


def test_6_1_27_3(doc: Any) -> list[CsafIssue]:
    """Vulnerabilities: an informational advisory has none."""
    if _category(doc) == "csaf_informational_advisory" and "vulnerabilities" in _dict(doc):
        return [
            _issue("6.1.27.3", "/vulnerabilities", "an informational advisory must not list vulnerabilities")
        ]
    return []


def test_6_1_27_4(doc: Any) -> list[CsafIssue]:
    """Product Tree: security advisories and VEX documents have one."""
    if _category(doc) in ("csaf_security_advisory", "csaf_vex") and "product_tree" not in _dict(doc):
        return [_issue("6.1.27.4", "/product_tree", "a product tree is required for this category")]
    return []


def test_6_1_27_5(doc: Any) -> list[CsafIssue]:
    """Vulnerability Notes: required in security advisories and VEX documents."""
    return [
        _issue("6.1.27.5", f"/vulnerabilities/{i}/notes", "the vulnerability needs notes")
        for i, vuln in _profile_vulns(doc, "csaf_security_advisory", "csaf_vex")
        if "notes" not in vuln
    ]


def test_6_1_27_6(doc: Any) -> list[CsafIssue]:
    """Product Status: required in security advisories."""
    return [
        _issue("6.1.27.6", f"/vulnerabilities/{i}/product_status", "the vulnerability needs a product status")
        for i, vuln in _profile_vulns(doc, "csaf_security_advisory")
        if "product_status" not in vuln
    ]


def test_6_1_27_7(doc: Any) -> list[CsafIssue]:
    """VEX Product Status: fixed, known_affected, known_not_affected or under_investigation."""
    wanted = ("fixed", "known_affected", "known_not_affected", "under_investigation")
    return [
        _issue(
            "6.1.27.7",
            f"/vulnerabilities/{i}/product_status",
            f"a VEX status needs one of {', '.join(wanted)}",
        )
        for i, vuln in _profile_vulns(doc, "csaf_vex")
        if not any(k in _dict(vuln.get("product_status")) for k in wanted)
    ]


def test_6_1_27_8(doc: Any) -> list[CsafIssue]:
    """Vulnerability ID: a VEX vulnerability has a cve or ids."""
    return [
        _issue("6.1.27.8", f"/vulnerabilities/{i}", "a VEX vulnerability needs a cve or ids")
        for i, vuln in _profile_vulns(doc, "csaf_vex")
        if "cve" not in vuln and "ids" not in vuln
    ]


def test_6_1_27_9(doc: Any) -> list[CsafIssue]:
    """Impact Statement: every known_not_affected product has a flag or an impact threat."""
    groups = group_members(doc)
    issues = []
    for i, vuln in _profile_vulns(doc, "csaf_vex"):
        covered: set[str] = set()
        for flag in _list(vuln.get("flags")):
            covered |= _expand(_dict(flag), groups)
        for threat in _list(vuln.get("threats")):
            if _dict(threat).get("category") == "impact":
                covered |= _expand(_dict(threat), groups)
        for p_index, pid in enumerate(_list(_dict(vuln.get("product_status")).get("known_not_affected"))):
            if pid not in covered:
                issues.append(
                    _issue(
                        "6.1.27.9",
                        f"/vulnerabilities/{i}/product_status/known_not_affected/{p_index}",
                        f"no impact statement (flag or impact threat) for {pid!r}",
                    )
                )
    return issues


def test_6_1_27_10(doc: Any) -> list[CsafIssue]:
    """Action Statement: every known_affected product has a remediation."""
    groups = group_members(doc)
    issues = []
    for i, vuln in _profile_vulns(doc, "csaf_vex"):
        covered: set[str] = set()
        for remediation in _list(vuln.get("remediations")):
            covered |= _expand(_dict(remediation), groups)
        for p_index, pid in enumerate(_list(_dict(vuln.get("product_status")).get("known_affected"))):
            if pid not in covered:
                issues.append(
                    _issue(
                        "6.1.27.10",
                        f"/vulnerabilities/{i}/product_status/known_affected/{p_index}",
                        f"no action statement (remediation) for {pid!r}",
                    )
                )
    return issues


def test_6_1_27_11(doc: Any) -> list[CsafIssue]:
    """Vulnerabilities: security advisories and VEX documents have some."""
    if _category(doc) in ("csaf_security_advisory", "csaf_vex") and "vulnerabilities" not in _dict(doc):
        return [_issue("6.1.27.11", "/vulnerabilities", "vulnerabilities are required for this category")]
    return []


# --- 6.1.28 to 6.1.33 ------------------------------------------------------------------------


def test_6_1_28(doc: Any) -> list[CsafIssue]:
    """Translation: source and document language differ."""
    document = _dict(_dict(doc).get("document"))
    lang, source = _str(document.get("lang")), _str(document.get("source_lang"))
    if lang is not None and source is not None and lang.lower() == source.lower():
        return [_issue("6.1.28", "/document/source_lang", "source_lang equals lang")]
    return []


def test_6_1_29(doc: Any) -> list[CsafIssue]:
    """Remediation without Product Reference."""
    return [
        _issue(
            "6.1.29",
            f"/vulnerabilities/{v}/remediations/{r}",
            "remediation names no product_ids or group_ids",
        )
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for r, rem in enumerate(_list(_dict(vuln).get("remediations")))
        if isinstance(rem, dict) and "product_ids" not in rem and "group_ids" not in rem
    ]


def test_6_1_30(doc: Any) -> list[CsafIssue]:
    """Mixed Integer and Semantic Versioning."""
    tracking = _tracking(doc)
    version = _str(tracking.get("version"))
    if version is None:
        return []
    integer = bool(_INTEGER.match(version))
    return [
        _issue(
            "6.1.30",
            f"/document/tracking/revision_history/{i}/number",
            f"revision {r['number']} mixes {'semantic' if integer else 'integer'} versioning into a document using {'integer' if integer else 'semantic'} versions",
        )
        for i, r in enumerate(_revisions(doc) or [])
        if bool(_INTEGER.match(r["number"])) != integer
    ]


_RANGE_WORDS = {"<", "<=", ">", ">=", "after", "all", "before", "earlier", "later", "prior", "versions"}


def test_6_1_31(doc: Any) -> list[CsafIssue]:
    """Version Range in Product Version: product_version names a single version."""
    issues = []
    stack: list[tuple[Any, str]] = [
        (_dict(_dict(doc).get("product_tree")).get("branches"), "/product_tree/branches")
    ]
    while stack:
        items, where = stack.pop()
        for index, branch in enumerate(_list(items)):
            branch = _dict(branch)
            name = _str(branch.get("name"))
            if branch.get("category") == "product_version" and name is not None:
                # NOTE: operators count anywhere ("<4.2"), keywords only as whole words
                # ("after-eight" is a version name, OASIS test case 6-1-31-12).
                words = set(name.lower().split())
                if re.search(r"[<>]", name) or words & _RANGE_WORDS:
                    issues.append(
                        _issue(
                            "6.1.31",
                            f"{where}/{index}/name",
                            f"{name!r} is a version range; use product_version_range",
                        )
                    )
            if "branches" in branch:
                stack.append((branch["branches"], f"{where}/{index}/branches"))
    return issues


def test_6_1_32(doc: Any) -> list[CsafIssue]:
    """Flag without Product Reference."""
    return [
        _issue("6.1.32", f"/vulnerabilities/{v}/flags/{f}", "flag names no product_ids or group_ids")
        for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities")))
        for f, flag in enumerate(_list(_dict(vuln).get("flags")))
        if isinstance(flag, dict) and "product_ids" not in flag and "group_ids" not in flag
    ]


def test_6_1_33(doc: Any) -> list[CsafIssue]:
    """Multiple Flags with VEX Justification Codes per Product."""
    groups = group_members(doc)
    issues = []
    for v, vuln in enumerate(_list(_dict(doc).get("vulnerabilities"))):
        seen: set[str] = set()
        for f, flag in enumerate(_list(_dict(vuln).get("flags"))):
            ids = _expand(_dict(flag), groups)
            for pid in sorted(ids & seen):
                issues.append(
                    _issue(
                        "6.1.33", f"/vulnerabilities/{v}/flags/{f}", f"product {pid!r} has more than one flag"
                    )
                )
            seen |= ids
    return issues


MANDATORY_TESTS: dict[str, Test] = {
    "6.1.1": test_6_1_1,
    "6.1.2": test_6_1_2,
    "6.1.3": test_6_1_3,
    "6.1.4": test_6_1_4,
    "6.1.5": test_6_1_5,
    "6.1.6": test_6_1_6,
    "6.1.7": test_6_1_7,
    "6.1.8": test_6_1_8,
    "6.1.9": test_6_1_9,
    "6.1.10": test_6_1_10,
    "6.1.11": test_6_1_11,
    "6.1.12": test_6_1_12,
    "6.1.13": test_6_1_13,
    "6.1.14": test_6_1_14,
    "6.1.15": test_6_1_15,
    "6.1.16": test_6_1_16,
    "6.1.17": test_6_1_17,
    "6.1.18": test_6_1_18,
    "6.1.19": test_6_1_19,
    "6.1.20": test_6_1_20,
    "6.1.21": test_6_1_21,
    "6.1.22": test_6_1_22,
    "6.1.23": test_6_1_23,
    "6.1.24": test_6_1_24,
    "6.1.25": test_6_1_25,
    "6.1.26": test_6_1_26,
    "6.1.27.1": test_6_1_27_1,
    "6.1.27.2": test_6_1_27_2,
    "6.1.27.3": test_6_1_27_3,
    "6.1.27.4": test_6_1_27_4,
    "6.1.27.5": test_6_1_27_5,
    "6.1.27.6": test_6_1_27_6,
    "6.1.27.7": test_6_1_27_7,
    "6.1.27.8": test_6_1_27_8,
    "6.1.27.9": test_6_1_27_9,
    "6.1.27.10": test_6_1_27_10,
    "6.1.27.11": test_6_1_27_11,
    "6.1.28": test_6_1_28,
    "6.1.29": test_6_1_29,
    "6.1.30": test_6_1_30,
    "6.1.31": test_6_1_31,
    "6.1.32": test_6_1_32,
    "6.1.33": test_6_1_33,
}
"""Every mandatory test of CSAF 2.0 section 6.1, by section number."""
