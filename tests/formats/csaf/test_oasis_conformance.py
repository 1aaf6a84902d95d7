"""Conformance: the OASIS CSAF validator test cases (testcases.json says what must pass or fail)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from otvet.formats.csaf.mandatory import MANDATORY_TESTS
from otvet.formats.csaf.optional import INFORMATIVE_TESTS, OPTIONAL_TESTS
from otvet.formats.csaf.validate import validate_file

pytestmark = pytest.mark.corpus


def _cases(root: Path) -> list[dict[str, object]]:
    return list(json.loads((root / "testcases.json").read_text(encoding="utf-8"))["tests"])


def test_csaf_2_0_test_cases_classified_as_expected(corpus: Path) -> None:
    root = corpus / "csaf" / "oasis-2.0" / "test" / "validator" / "data"
    implemented = {**MANDATORY_TESTS, **OPTIONAL_TESTS, **INFORMATIVE_TESTS}
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for test in _cases(root):
        tid, group = str(test["id"]), str(test["group"])
        if tid not in implemented:
            continue
        for kind in ("failures", "valid"):
            for item in test.get(kind, []):  # type: ignore[attr-defined]
                result = validate_file(root / item["name"])
                ids = {i.test_id for i in result.issues}
                if group == "mandatory":
                    ok = result.valid == item["valid"] and (item["valid"] or tid in ids)
                else:
                    ok = (tid in ids) == (kind == "failures")
                rates[tid][0] += ok
                rates[tid][1] += 1
                if not ok:
                    wrong.append((tid, item["name"], [str(i) for i in result.issues][:3]))
    for tid, (good, total) in sorted(rates.items(), key=lambda kv: [int(x) for x in kv[0].split(".")]):
        print(f"{tid:10} {good}/{total} {good / total:.0%}")
    mandatory = [t for t in rates if t.startswith("6.1.")]
    assert len(mandatory) == 43, "every CSAF 2.0 mandatory test has OASIS test cases"
    assert wrong == []


def test_csaf_2_1_documents_are_recognised_and_schema_validated(corpus: Path) -> None:
    root = corpus / "csaf" / "oasis-2.1" / "test" / "validator" / "data"
    files = sorted(root.rglob("*.json"))
    files = [f for f in files if f.name != "testcases.json"]
    versions = {validate_file(f).csaf_version for f in files}
    assert "2.1" in versions
    template = validate_file(root / "oasis_csaf_tc-csaf_2_1-2024-TEMPLATE.json")
    assert template.csaf_version == "2.1"
    assert template.tests_run == ("schema",)
    assert template.tests_not_run and template.tests_not_run[0][0] == "6.1.*"
