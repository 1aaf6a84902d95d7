"""The SBOM quality analyzer on the example bundles and on broken SBOMs.

Expected counts are computed from the raw SBOM files in the tests.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from otvet.analyzers import AnalysisContext
from otvet.analyzers.sbom_quality import SbomQualityAnalyzer, assess_quality
from otvet.catalog import load_catalog, load_profile
from otvet.formats.sbom import read_sbom
from otvet.intake import open_bundle
from otvet.model import AnalyzerOutput, Basis, ProductIdentity, Status

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _analyze(bundle_dir: Path) -> AnalyzerOutput:
    catalog = load_catalog()
    ctx = AnalysisContext(catalog=catalog, profile=load_profile("strict", catalog), now=NOW)
    with open_bundle(bundle_dir, catalog) as bundle:
        return SbomQualityAnalyzer().analyze(bundle, ctx)


def _by_id(output: AnalyzerOutput) -> dict[str, Any]:
    return {r.criterion_id: r for r in output.results}


@pytest.fixture(scope="module")
def northwind(examples: Path) -> AnalyzerOutput:
    return _analyze(examples / "northwind-rtu")


@pytest.fixture(scope="module")
def kestrel(examples: Path) -> AnalyzerOutput:
    return _analyze(examples / "kestrel-plc")


def test_northwind_quality_facts(examples: Path) -> None:
    path = examples / "northwind-rtu/sbom/nw-rtu-500-3.2.1.cdx.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    refs = {c["bom-ref"] for c in raw["components"]} | {raw["metadata"]["component"]["bom-ref"]}
    targets = {t for d in raw["dependencies"] for t in [d["ref"], *d["dependsOn"]]}
    product = ProductIdentity(vendor="Northwind Controls", product="NW-RTU 500", version="3.2.1")
    q = assess_quality(read_sbom(path), product)
    coverage = {c.field: c for c in q.coverage}
    assert q.components == len(raw["components"])
    assert coverage["version"].have == sum(1 for c in raw["components"] if c.get("version"))
    assert coverage["purl"].have == sum(1 for c in raw["components"] if c.get("purl"))
    assert coverage["CPE"].have == sum(1 for c in raw["components"] if c.get("cpe"))
    assert coverage["hash (any algorithm)"].have == 0
    assert coverage["supplier"].have == 0
    assert len(q.unkeyed) == sum(1 for c in raw["components"] if not (c.get("purl") or c.get("cpe")))
    assert (
        q.dangling
        == tuple(f"nw-rtu-app -> {t}" for t in sorted(targets - refs))
        == ("nw-rtu-app -> libpcap",)
    )
    assert q.duplicate_refs == ("openssl",)
    assert q.product_match == "version mismatch"
    document = {d.field: d for d in q.document}
    assert not document["timestamp"].present and not document["author of the SBOM data"].present


def test_northwind_verdicts_are_partial_with_counts(northwind: AnalyzerOutput) -> None:
    results = _by_id(northwind)
    provided = results["SBD-11.01"]
    assert provided.status is Status.PARTIALLY_MET and provided.basis is Basis.VERIFIED
    assert "13/14" in provided.rationale and "supplier on 0/14" in provided.rationale
    readable = results["SBD-11.02"]
    assert readable.status is Status.PARTIALLY_MET
    assert "3.2.1" in readable.rationale and "3.2" in readable.rationale
    assert results["SBD-11.03"].status is Status.NOT_EVIDENCED
    assert any("does not match the product" in p.message for p in northwind.problems)


def test_kestrel_verdicts_are_met(kestrel: AnalyzerOutput, examples: Path) -> None:
    results = _by_id(kestrel)
    assert results["SBD-11.01"].status is Status.MET
    assert results["SBD-11.02"].status is Status.MET
    hbom = json.loads((examples / "kestrel-plc/sbom/ka9-hbom.cdx.json").read_text(encoding="utf-8"))
    devices = sum(1 for c in hbom["components"] if c["type"] == "device") + 1  # plus the board itself
    assert results["SBD-11.03"].status is Status.MET
    assert f"lists {devices} hardware entries" in results["SBD-11.03"].rationale
    # The hardware BOM describes the main board, which is no reason for a product-mismatch warning.
    assert not any("hbom" in p.path and "does not match" in p.message for p in kestrel.problems)


def test_section_has_coverage_tables_for_every_sbom(kestrel: AnalyzerOutput) -> None:
    (section,) = kestrel.sections
    assert section.id == "sbom-quality"
    overview = section.tables[0]
    assert len(overview.rows) == 3
    captions = [t.caption for t in section.tables]
    assert sum("field coverage" in c for c in captions) == 3
    assert len(section.data["sboms"]) == 3


@pytest.fixture
def bundle_copy(examples: Path, tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "bundle"
    shutil.copytree(examples / "northwind-rtu", target)
    yield target


def test_unreadable_sbom_gives_not_evidenced_with_problem(bundle_copy: Path) -> None:
    sbom = bundle_copy / "sbom/nw-rtu-500-3.2.1.cdx.json"
    cut = '{"bomFormat": "CycloneDX", "components": ['
    sbom.write_text(cut, encoding="utf-8")
    output = _analyze(bundle_copy)
    results = _by_id(output)
    for cid in ("SBD-11.01", "SBD-11.02", "SBD-11.03"):
        assert results[cid].status is Status.NOT_EVIDENCED
        assert "could be read" in results[cid].rationale and "not valid JSON" in results[cid].rationale
    assert any(
        p.path == "sbom/nw-rtu-500-3.2.1.cdx.json" and p.where == f"line 1 column {len(cut) + 1}"
        for p in output.problems
    )


def test_empty_sbom_is_not_met(bundle_copy: Path) -> None:
    sbom = bundle_copy / "sbom/nw-rtu-500-3.2.1.cdx.json"
    sbom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "metadata": {"component": {"name": "NW-RTU 500", "version": "3.2.1", "type": "firmware"}},
                "components": [],
            }
        ),
        encoding="utf-8",
    )
    results = _by_id(_analyze(bundle_copy))
    assert results["SBD-11.01"].status is Status.NOT_MET
    assert results["SBD-11.02"].status is Status.MET


def test_no_sbom_gives_no_result(tmp_path: Path, examples: Path) -> None:
    target = tmp_path / "bundle"
    shutil.copytree(examples / "northwind-rtu", target)
    (target / "sbom/nw-rtu-500-3.2.1.cdx.json").unlink()
    manifest = target / "otvet-bundle.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "  - path: sbom/nw-rtu-500-3.2.1.cdx.json\n    kind: sbom\n    description: CycloneDX SBOM of firmware 3.2.1\n",
            "",
        ),
        encoding="utf-8",
    )
    output = _analyze(target)
    assert output.results == () and output.sections == ()
