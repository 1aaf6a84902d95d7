"""SBOM diff: components added, removed, changed; vulnerabilities only from a source, never silently zero."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from otvet.model.components import Component
from otvet.model.updates import ChangeKind
from otvet.updates.report import read_sbom_diff, write_json
from otvet.updates.sbom_diff import NOT_AVAILABLE, diff_sboms, identity


class FakeKnowledgeBase:
    """A tiny vulnerability source: advisories by purl without version, affected versions listed."""

    name = "test knowledge base 2026-11-21"

    def __init__(self, advisories: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.advisories = advisories

    def vulnerabilities(self, components: Sequence[Component]) -> Mapping[str, Sequence[str]]:
        found: dict[str, list[str]] = {}
        for component in components:
            for vulnerability, versions in self.advisories.get(identity(component), {}).items():
                if component.version in versions:
                    found.setdefault(component.ref, []).append(vulnerability)
        return found


@pytest.fixture
def sboms(examples: Path, tmp_path: Path) -> tuple[Path, Path]:
    old_path = examples / "kestrel-plc" / "sbom" / "ka9-5.4.0.cdx.json"
    doc: dict[str, Any] = json.loads(old_path.read_text(encoding="utf-8"))
    new = copy.deepcopy(doc)
    by_ref = {c["bom-ref"]: c for c in new["components"]}
    by_ref["mbedtls"]["version"] = "3.6.3"
    by_ref["mbedtls"]["purl"] = "pkg:github/mbed-tls/mbedtls@v3.6.3"
    by_ref["zlib"]["hashes"][0]["content"] = "00" * 32  # same version, different bytes
    new["components"] = [c for c in new["components"] if c["bom-ref"] != "tinycbor"]
    new["components"].append(
        {
            "type": "library",
            "bom-ref": "libmodbus",
            "name": "libmodbus",
            "version": "3.1.11",
            "purl": "pkg:github/stephane/libmodbus@v3.1.11",
        }
    )
    new_path = tmp_path / "ka9-5.4.1.cdx.json"
    new_path.write_text(json.dumps(new), encoding="utf-8")
    return old_path, new_path


def test_components_added_removed_and_changed(sboms: tuple[Path, Path]) -> None:
    diff = diff_sboms(*sboms)
    assert [c.name for c in diff.added] == ["libmodbus"]
    assert [c.name for c in diff.removed] == ["tinycbor"]
    changed = {c.name: c for c in diff.changed}
    assert set(changed) == {"mbedtls", "zlib"}
    assert (changed["mbedtls"].old_version, changed["mbedtls"].new_version) == ("3.6.2", "3.6.3")
    assert changed["mbedtls"].changes == (ChangeKind.VERSION,)
    assert changed["zlib"].changes == (ChangeKind.HASHES,)
    assert diff.unchanged == diff.old.components - 1 - 2


def test_without_a_vulnerability_source_the_diff_says_so(sboms: tuple[Path, Path], tmp_path: Path) -> None:
    diff = diff_sboms(*sboms)
    assert diff.vulnerabilities is None
    assert diff.vulnerability_note == NOT_AVAILABLE == "vulnerability data not available"
    written = write_json(diff, tmp_path / "diff.json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["vulnerabilities"] is None and data["vulnerability_note"] == NOT_AVAILABLE
    assert read_sbom_diff(written) == diff


def test_vulnerabilities_fixed_and_introduced_through_the_source(sboms: tuple[Path, Path]) -> None:
    source = FakeKnowledgeBase(
        {
            "pkg:github/mbed-tls/mbedtls": {"CVE-2025-27809": ["3.6.2"], "CVE-2026-0001": ["3.6.2", "3.6.3"]},
            "pkg:github/stephane/libmodbus": {"CVE-2026-1111": ["3.1.11"]},
            "pkg:github/intel/tinycbor": {"CVE-2024-9999": ["0.6.0"]},
        }
    )
    diff = diff_sboms(*sboms, vulnerabilities=source)
    assert diff.vulnerabilities is not None and diff.vulnerabilities.source == source.name
    fixed = {(v.vulnerability, v.label) for v in diff.vulnerabilities.fixed}
    assert fixed == {("CVE-2025-27809", "mbedtls@3.6.2"), ("CVE-2024-9999", "tinycbor@0.6.0")}
    assert {v.vulnerability for v in diff.vulnerabilities.introduced} == {"CVE-2026-1111"}
    assert {v.vulnerability for v in diff.vulnerabilities.remaining} == {"CVE-2026-0001"}
    assert diff.vulnerability_note.startswith("2 fixed, 1 newly introduced, 1 still present")


def test_a_source_with_no_findings_says_zero_explicitly(sboms: tuple[Path, Path]) -> None:
    diff = diff_sboms(*sboms, vulnerabilities=FakeKnowledgeBase({}))
    assert diff.vulnerabilities is not None and not diff.vulnerabilities.fixed
    assert diff.vulnerability_note.startswith("0 fixed, 0 newly introduced")


def test_identity_ignores_versions_but_keeps_names_apart() -> None:
    assert identity(Component(ref="a", name="x", purl="pkg:pypi/Requests@2.0")) == identity(
        Component(ref="b", name="y", purl="pkg:pypi/requests@2.31.0?extra=1")
    )
    assert (
        identity(Component(ref="c", name="z", cpes=("cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*",)))
        == "cpe:zlib:zlib"
    )
    assert identity(Component(ref="d", name="  LwIP ")) == "name:lwip"


@pytest.mark.corpus
def test_a_real_sbom_against_itself_changes_nothing(corpus: Path) -> None:
    path = next(p for p in sorted((corpus / "sbom" / "cyclonedx").rglob("*.json")) if "bom" in p.name)
    diff = diff_sboms(path, path)
    assert not diff.added and not diff.removed and not diff.changed
    assert diff.unchanged == diff.old.components > 0
