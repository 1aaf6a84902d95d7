"""VEX readers on real documents and on broken ones: statements, mappings, problems with pointers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.formats.vex import VEX_READERS, read_vex, vex_formats
from otvet.model import FormatError, Severity
from otvet.model.vex import VexJustification, VexStatus


def test_reader_table_is_explicit() -> None:
    assert vex_formats() == ("openvex", "cyclonedx", "csaf")
    assert all(callable(recognise) and callable(read) for _, recognise, read in VEX_READERS)


@pytest.mark.corpus
def test_every_corpus_vex_document_reads_without_errors(corpus: Path) -> None:
    files = sorted((corpus / "vex" / "grype-testdata").glob("openvex-*.json")) + sorted(
        p for p in (corpus / "vex" / "cyclonedx").rglob("*vex*.json")
    )
    assert len(files) > 20
    for path in files:
        document = read_vex(path)
        errors = [p for p in document.problems if p.severity is Severity.ERROR]
        # Use case 7 names no product at all: reported, never applied to everything.
        if "Use-Cases/Case-7/" in str(path) and "CISA" not in str(path):
            assert errors and "names no affected component" in errors[0].message
            continue
        assert errors == [], (path, errors)
        assert document.statements, path


@pytest.mark.corpus
def test_cyclonedx_states_and_justifications_map_to_vex(corpus: Path) -> None:
    document = read_vex(corpus / "vex/cyclonedx/Use-Cases/Case-12/vex.json")
    by_id = {s.vulnerability: s for s in document.statements}
    assert by_id["CVE-2020-25649"].justification is VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH
    assert by_id["CVE-2020-35491"].status is VexStatus.AFFECTED
    mitigated = by_id["CVE-2020-14195"]
    assert mitigated.justification is VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST
    assert mitigated.impact is not None and "protected_by_mitigating_control" in mitigated.impact
    assert mitigated.location == "/vulnerabilities/2/affects/0"


def test_openvex_rule_breaks_are_reported_with_pointers(tmp_path: Path) -> None:
    path = tmp_path / "vex.json"
    path.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "https://example.test/vex",
                "author": "test",
                "timestamp": "2026-01-01T00:00:00Z",
                "version": 1,
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2024-0001"},
                        "products": [{"@id": "pkg:pypi/demo@1.0"}],
                        "status": "not_affected",
                    },
                    {
                        "vulnerability": {"name": "CVE-2024-0002"},
                        "products": [{"@id": "pkg:pypi/demo@1.0"}],
                        "status": "maybe",
                    },
                    {"vulnerability": {"name": "CVE-2024-0003"}, "status": "fixed"},
                    {
                        "vulnerability": {"name": "CVE-2024-0004"},
                        "products": [{"@id": "pkg:pypi/demo@1.0"}],
                        "status": "affected",
                    },
                ],
            }
        )
    )
    document = read_vex(path)
    assert [s.vulnerability for s in document.statements] == ["CVE-2024-0001", "CVE-2024-0004"]
    problems = {p.where: (p.severity, p.message) for p in document.problems}
    assert (
        problems["/statements/0"][0] is Severity.WARNING and "justification" in problems["/statements/0"][1]
    )
    assert problems["/statements/1/status"][0] is Severity.ERROR
    assert "names no product" in problems["/statements/2/products"][1]
    assert "action_statement" in problems["/statements/3"][1]


def test_a_document_that_is_no_vex_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "sbom.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}))
    with pytest.raises(FormatError, match="not a VEX document"):
        read_vex(path)
