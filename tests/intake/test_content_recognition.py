"""Bundle intake recognises files by content: misleading names, broken JSON, JSON too large to parse."""

from __future__ import annotations

import json
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.formats.sniff import HEAD_BYTES, JSON_PARSE_LIMIT, detect
from otvet.intake import build_bundle
from otvet.model import ArtifactKind, EvidenceBundle, Severity

CYCLONEDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "metadata": {"component": {"type": "firmware", "name": "fw", "version": "1.0"}},
    "components": [{"type": "library", "name": f"lib{i}", "version": "1.0"} for i in range(40)],
}
CSAF = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "title": "An advisory",
        "publisher": {"category": "vendor", "name": "Test", "namespace": "https://example.com"},
    },
    "vulnerabilities": [],
}


def _intake(tmp_path: Path, files: dict[str, bytes]) -> EvidenceBundle:
    source = tmp_path / "bundle"
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    root = tmp_path / "workspace"
    root.mkdir()
    return build_bundle(source, root, load_catalog())


def test_misleading_names_do_not_decide_the_kind(tmp_path: Path) -> None:
    bundle = _intake(
        tmp_path,
        {
            "readme.txt": json.dumps(CYCLONEDX).encode(),
            "sbom.cdx.json": json.dumps(CSAF).encode(),
            "firmware.bin": b"Contact: mailto:psirt@example.com\nExpires: 2030-01-01T00:00:00Z\n",
        },
    )
    kinds = {a.path: a.kind for a in bundle.artifacts}
    assert kinds == {
        "readme.txt": ArtifactKind.SBOM,
        "sbom.cdx.json": ArtifactKind.CSAF,
        "firmware.bin": ArtifactKind.SECURITY_TXT,
    }


def test_truncated_json_sbom_is_recognised_and_reported_with_line_and_column(tmp_path: Path) -> None:
    whole = json.dumps(CYCLONEDX, indent=2).encode()
    cut = whole[: len(whole) // 2]
    line = cut.count(b"\n") + 1
    bundle = _intake(tmp_path, {"sbom.json": cut, "notes.json": b'{"a": [1, 2,, 3]}'})
    sbom = bundle.find("sbom.json")
    assert sbom is not None and sbom.kind is ArtifactKind.SBOM
    assert sbom.format is not None and sbom.format.startswith("CycloneDX 1.5 JSON")
    (problem,) = [p for p in bundle.problems if p.path == "sbom.json"]
    assert problem.severity is Severity.ERROR
    assert "cannot be read: not valid JSON" in problem.message and "listed as sbom" in problem.message
    assert problem.where is not None and problem.where.startswith(f"line {line} column ")
    # Broken JSON of no known kind is still listed, as unknown, with the problem.
    notes = bundle.find("notes.json")
    assert notes is not None and notes.kind is ArtifactKind.UNKNOWN and notes.format == "malformed JSON"
    (note_problem,) = [p for p in bundle.problems if p.path == "notes.json"]
    assert note_problem.severity is Severity.WARNING  # nothing known was lost, but it is said
    assert note_problem.where == "line 1 column 13"  # the second comma


def test_ini_and_toml_sections_are_not_taken_for_json(tmp_path: Path) -> None:
    bundle = _intake(
        tmp_path,
        {
            "device.ini": b"[network]\nip = 192.0.2.10\n",
            "pipeline.toml": b"[[stage]]\nname = 'build'\n",
            "list.json": b"[1, 2,",
        },
    )
    assert {p.path for p in bundle.problems if p.path != bundle.source} == {
        "list.json"
    }  # not the no-manifest note
    kinds = {a.path: a.kind for a in bundle.artifacts}
    assert kinds["device.ini"] is ArtifactKind.DOCUMENT and kinds["pipeline.toml"] is ArtifactKind.DOCUMENT


def test_json_lines_logs_are_not_reported_as_broken_json(tmp_path: Path) -> None:
    log = b'{"time": "2026-01-01T00:00:00Z", "msg": "login"}\n{"time": "2026-01-01T00:00:01Z", "msg": "x"}\n'
    bundle = _intake(tmp_path, {"events.log": log})
    events = bundle.find("events.log")
    assert events is not None and events.kind is ArtifactKind.LOG_SAMPLE
    assert not [p for p in bundle.problems if p.path == "events.log"]


def test_json_larger_than_the_parse_limit_is_recognised_by_its_head(tmp_path: Path) -> None:
    # A valid CycloneDX document padded with whitespace past the parse limit: written in one go,
    # so the test stays fast; only the head is read to recognise it.
    head = json.dumps(CYCLONEDX)[:-2].encode()  # up to the end of the components array
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(head)
        handle.write(b" " * (JSON_PARSE_LIMIT + 1024))
        handle.write(b"]}")
    assert path.stat().st_size > JSON_PARSE_LIMIT
    found = detect(path, "huge.json")
    assert found.kind is ArtifactKind.SBOM
    assert found.format == "CycloneDX 1.5 JSON (recognised by its first 64 KiB)"
    assert found.problem is None


def test_large_json_whose_markers_are_beyond_the_head_is_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "padded.json"
    with path.open("wb") as handle:
        handle.write(b"{" + b" " * (HEAD_BYTES + 10))
        handle.write(b' "bomFormat": "CycloneDX"}')
    found = detect(path, "padded.json")  # small enough to parse whole: the parsed document decides
    assert found.kind is ArtifactKind.SBOM and "recognised by" not in (found.format or "")
