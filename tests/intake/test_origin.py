"""Who put each file into the assessment: the vendor's bundle, or the buyer beside it (ADR 0070)."""

from __future__ import annotations

from pathlib import Path

from otvet.catalog import load_catalog
from otvet.intake import build_bundle
from otvet.model import ArtifactKind, EvidenceBundle
from otvet.model.provenance import Origin

PROBE = b'{"otvet_probe": "1.0", "checks": []}'


def _intake(tmp_path: Path, files: dict[str, bytes], extra: list[Path]) -> EvidenceBundle:
    source = tmp_path / "bundle"
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    root = tmp_path / "workspace"
    root.mkdir()
    return build_bundle(source, root, load_catalog(), extra=extra)


def test_bundle_files_are_the_vendors_and_extras_the_buyers(tmp_path: Path) -> None:
    mine = tmp_path / "my-probe.json"
    mine.write_bytes(PROBE)
    bundle = _intake(tmp_path, {"probe/lab.json": PROBE}, [mine])
    origins = {a.path: (a.origin, a.kind) for a in bundle.artifacts}
    assert origins == {
        "probe/lab.json": (Origin.BUNDLE, ArtifactKind.PROBE_RESULT),
        "extra/my-probe.json": (Origin.BUYER, ArtifactKind.PROBE_RESULT),
    }
    added = bundle.find("extra/my-probe.json")
    assert added is not None and added.origin_note is not None and "my-probe.json" in added.origin_note


def test_a_vendor_folder_named_extra_stays_the_vendors_and_is_never_shadowed(tmp_path: Path) -> None:
    mine = tmp_path / "probe.json"
    mine.write_bytes(PROBE + b" ")
    manifest = (
        b"otvet_bundle: 1\nproduct: {vendor: V, name: P, version: '1'}\n"
        b"artifacts:\n  - path: extra/probe.json\n    kind: probe_result\n"
        b"  - path: extra/1-probe.json\n    kind: probe_result\n"
    )
    bundle = _intake(
        tmp_path,
        {"otvet-bundle.yaml": manifest, "extra/probe.json": PROBE, "extra/1-probe.json": PROBE},
        [mine],
    )
    by_path = {a.path: a for a in bundle.artifacts}
    assert by_path["extra/probe.json"].origin is Origin.BUNDLE
    assert by_path["extra/1-probe.json"].origin is Origin.BUNDLE
    buyers = [a for a in bundle.artifacts if a.origin is Origin.BUYER]
    assert [a.path for a in buyers] == ["extra/1-2-probe.json"]
    assert buyers[0].size == len(PROBE) + 1  # the buyer's bytes, not the vendor's


def test_the_vendors_manifest_has_no_say_over_a_buyer_file(tmp_path: Path) -> None:
    mine = tmp_path / "notes.json"
    mine.write_bytes(PROBE)
    manifest = (
        b"otvet_bundle: 1\nproduct: {vendor: V, name: P, version: '1'}\n"
        b"artifacts:\n  - path: extra/notes.json\n    kind: document\n"
    )
    bundle = _intake(tmp_path, {"otvet-bundle.yaml": manifest}, [mine])
    added = bundle.find("extra/notes.json")
    assert added is not None and added.origin is Origin.BUYER
    assert added.kind is ArtifactKind.PROBE_RESULT and added.detected_by == "content"
    # The manifest names a file the vendor did not deliver: that is still reported.
    assert any(p.path == "extra/notes.json" and "does not contain it" in p.message for p in bundle.problems)
