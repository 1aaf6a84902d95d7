"""Conformance on real OSV data: listed versions match, fixed versions do not.

For every OSV record of the PyPA and Go advisory databases in the public corpus: each
version in ``affected[].versions`` must match the record, and each ``fixed`` event of a
SEMVER/ECOSYSTEM range must not, unless the record itself also lists that version as affected
(in ``versions`` or through another range's bounds: see EXCEPTIONS). The pass rate is printed.

The whole corpus runs against SQLite; PostgreSQL gets a deterministic sample (every 15th
record) through the same code, to keep the suite's time in budget.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from univers.versions import PypiVersion, SemverVersion, Version

from otvet.knowledge import KnowledgeBase
from otvet.knowledge.purls import key_for_osv
from tests.knowledge.conftest import NOW, component, sbom

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

PURL_TYPE = {"PyPI": "pypi", "Go": "golang"}


def _records(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".json":
            found.append((path, json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".yaml":
            found.append((path, yaml.safe_load(path.read_text(encoding="utf-8"))))
    return found


def _purl(ecosystem: str, name: str, version: str) -> str:
    key = key_for_osv(ecosystem, name, None)
    return f"pkg:{key.purl_type}/{key.name}@{version}"


def _oracle(ecosystem: str, text: str) -> Version | None:
    """univers, used directly as the reference for "another range covers it"."""
    try:
        return (PypiVersion if ecosystem == "PyPI" else SemverVersion)(text.removeprefix("v"))
    except Exception:  # noqa: BLE001
        return None


def _covered(ecosystem: str, version: str, ranges: list[dict[str, Any]]) -> bool:
    """Whether one of ``ranges`` (other ranges of the same package) contains ``version``."""
    target = _oracle(ecosystem, version)
    if target is None:
        return False
    for item in ranges:
        events = item.get("events") or []
        start: Version | str | None = None
        for event in events:
            if "introduced" in event:
                start = "0" if event["introduced"] == "0" else _oracle(ecosystem, event["introduced"])
            elif start is not None and ("fixed" in event or "last_affected" in event):
                end = _oracle(ecosystem, event.get("fixed") or event["last_affected"])
                low_ok = start == "0" or (isinstance(start, Version) and start <= target)
                high_ok = end is not None and (target < end if "fixed" in event else target <= end)
                if low_ok and high_ok:
                    return True
                start = None
        if start is not None and (start == "0" or (isinstance(start, Version) and start <= target)):
            return True
    return False


def _expectations(
    records: list[tuple[Path, dict[str, Any]]],
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """purl -> record ids that must match it, and purl -> record ids that must not."""
    must: dict[str, set[str]] = defaultdict(set)
    must_not: dict[str, set[str]] = defaultdict(set)
    for _, record in records:
        if not isinstance(record, dict) or record.get("withdrawn"):
            continue
        listed: dict[str, set[str]] = defaultdict(set)
        ranges_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for affected in record.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") not in PURL_TYPE:
                continue
            listed[package["name"]].update(affected.get("versions") or [])
            ranges_of[package["name"]].extend(
                r for r in affected.get("ranges") or [] if r.get("type") != "GIT"
            )
        for affected in record.get("affected") or []:
            package = affected.get("package") or {}
            ecosystem = package.get("ecosystem")
            if ecosystem not in PURL_TYPE:
                continue
            for version in affected.get("versions") or []:
                must[_purl(ecosystem, package["name"], version)].add(record["id"])
            for item in affected.get("ranges") or []:
                if item.get("type") == "GIT":
                    continue
                for event in item.get("events") or []:
                    fixed = event.get("fixed")
                    if not fixed or fixed in listed[package["name"]]:
                        continue
                    others = [r for r in ranges_of[package["name"]] if r is not item]
                    if _covered(ecosystem, fixed, others):
                        COVERED.append(f"{record['id']} {package['name']}@{fixed}")
                        continue  # another range of the record covers it: affected after all
                    must_not[_purl(ecosystem, package["name"], fixed)].add(record["id"])
    return must, must_not


def _check(knowledge: KnowledgeBase, records: list[tuple[Path, dict[str, Any]]]) -> tuple[int, list[str]]:
    must, must_not = _expectations(records)
    purls = sorted(set(must) | set(must_not))
    components = [component(p.split("/")[-1], None, purl=p, ref=p) for p in purls]
    report = knowledge.match(sbom(*components), now=NOW)
    found: dict[str, set[str]] = defaultdict(set)
    for match in report.matches:
        ids = {e.record_id for e in match.evidence}
        found[match.component_ref].update(ids)
    failures = []
    checks = 0
    for purl, ids in must.items():
        for record_id in ids:
            checks += 1
            if record_id not in found[purl]:
                failures.append(f"listed version not matched: {record_id} {purl}")
    for purl, ids in must_not.items():
        for record_id in ids:
            checks += 1
            if record_id in found[purl] and record_id not in must.get(purl, set()):
                failures.append(f"fixed version matched: {record_id} {purl}")
    return checks, failures


COVERED: list[str] = []
"""Fixed versions not checked because another range of the same record covers them."""

EXCEPTIONS: dict[str, str] = {}
"""Record id -> why a check fails on purpose (data in the record contradicts itself)."""


def _unexplained(failures: list[str]) -> list[str]:
    return [f for f in failures if f.split()[-2] not in EXCEPTIONS]


def test_osv_conformance_whole_corpus(corpus: Path, sqlite_kb: KnowledgeBase) -> None:
    roots = [corpus / "osv" / "pypa", corpus / "osv" / "go"]
    records: list[tuple[Path, dict[str, Any]]] = []
    for root in roots:
        report = sqlite_kb.import_data("osv", root, now=NOW)
        assert report.records > 1000
        records.extend(_records(root))
    checks, failures = _check(sqlite_kb, records)
    rate = 1 - len(failures) / checks
    print(f"\nOSV conformance: {checks} checks, {len(failures)} failures, pass rate {rate:.4%}")
    print(f"fixed versions not checked because another range of the record covers them: {len(set(COVERED))}")
    for failure in failures[:50]:
        print("  ", failure)
    assert checks > 20_000
    assert _unexplained(failures) == []


@pytest.mark.postgres
def test_osv_conformance_sample_on_postgresql(corpus: Path, postgres_url: str, tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    chosen: list[tuple[Path, dict[str, Any]]] = []
    for root in (corpus / "osv" / "pypa", corpus / "osv" / "go"):
        for index, (path, record) in enumerate(_records(root)):
            if index % 15 == 0:
                target = sample / root.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                chosen.append((path, record))
    knowledge = KnowledgeBase.open(postgres_url)
    try:
        report = knowledge.import_data("osv", sample, now=NOW)
        assert report.records == len([r for r in chosen if isinstance(r[1], dict)]) - report.problem_count
        checks, failures = _check(knowledge, chosen)
    finally:
        knowledge.close()
    print(f"\nOSV conformance on PostgreSQL (sample): {checks} checks, {len(failures)} failures")
    assert checks > 1000
    assert _unexplained(failures) == []
