"""OSCAL exports validate against the OSCAL 1.2.1 JSON schemas and say what the catalog says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from otvet.catalog import builtin_profiles, load_catalog, load_profile
from otvet.cli.app import main
from otvet.core.catalog import oscal_documents
from otvet.core.reports import write_reports
from otvet.model import Assessment, Status
from otvet.reports.oscal_catalog import catalog_document, mapping_document, profile_document
from otvet.reports.oscal_results import assessment_results, observation_count
from tests.oscal import oscal_errors

pytestmark = pytest.mark.corpus
WHEN = datetime(2026, 11, 21, tzinfo=UTC)


def _controls(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for g in document["catalog"]["groups"] for c in g["controls"]]


def test_catalog_validates_and_carries_every_criterion(corpus: Path) -> None:
    catalog = load_catalog()
    document = catalog_document(catalog, WHEN)
    assert oscal_errors(corpus, "catalog", document) == []
    groups = document["catalog"]["groups"]
    assert [g["title"] for g in groups] == [e.name for e in catalog.elements]
    controls = _controls(document)
    labels = [next(p["value"] for p in c["props"] if p["name"] == "label") for c in controls]
    assert labels == [c.id for c in catalog.criteria]
    for control, criterion in zip(controls, catalog.criteria, strict=True):
        parts = {p["name"]: p for p in control["parts"]}
        assert parts["statement"]["prose"] == criterion.requirement
        assert "assessment-objective" in parts
        methods = [p["props"][0]["value"] for p in control["parts"] if p["name"] == "assessment-method"]
        assert methods == [m.value.upper() for m in criterion.methods]
        kinds = [p["value"] for p in control["props"] if p["name"] == "evidence-kind"]
        assert kinds == [k.value for k in criterion.evidence]


@pytest.mark.parametrize("name", builtin_profiles())
def test_profiles_validate_and_select_the_profile(corpus: Path, name: str) -> None:
    catalog = load_catalog()
    profile = load_profile(name, catalog)
    document = profile_document(catalog, profile, WHEN)
    assert oscal_errors(corpus, "profile", document) == []
    body = document["profile"]
    [included] = body["imports"][0]["include-controls"]
    assert included["with-ids"] == [c.lower() for c in profile.criteria]
    musts = {
        alter["control-id"]
        for alter in body.get("modify", {}).get("alters", [])
        for add in alter.get("adds", [])
        for p in add["props"]
        if p["name"] == "must-have"
    }
    assert musts == {c.lower() for c in profile.must_have}


def test_crosswalks_validate_and_hold_every_mapping(corpus: Path) -> None:
    catalog = load_catalog()
    document = mapping_document(catalog, WHEN)
    assert oscal_errors(corpus, "mapping", document) == []
    mappings = {
        m["mapping-description"].split(" to ")[-1].rstrip("."): m
        for m in document["mapping-collection"]["mappings"]
    }
    iec = mappings["IEC 62443-4-2"]
    expected = sorted((c.id.lower(), r.ref) for c in catalog.criteria for r in c.mappings.iec62443_4_2)
    got = sorted((m["sources"][0]["id-ref"], m["targets"][0]["id-ref"]) for m in iec["maps"])
    assert got == expected
    cra = mappings["EU CRA Annex I"]
    assert len(cra["maps"]) == sum(len(c.mappings.cra_annex_i) for c in catalog.criteria)
    # our own labels only, looked up from the catalog's label table
    labels = catalog.mapping_labels["cra_annex_i"]
    for m in cra["maps"]:
        target = m["targets"][0]
        assert target["props"][0]["value"] == labels[target["id-ref"]]
    # targets are back-matter citations of the standards
    resources = {r["uuid"] for r in document["mapping-collection"]["back-matter"]["resources"]}
    assert all(m["target-resource"]["href"].lstrip("#") in resources for m in mappings.values())


def test_exports_are_reproducible() -> None:
    assert oscal_documents(moment=WHEN) == oscal_documents(moment=WHEN)
    catalog = load_catalog()
    assert (
        catalog_document(catalog, WHEN)["catalog"]["uuid"]
        == catalog_document(catalog, datetime.now(UTC))["catalog"]["uuid"]
    )


def test_validator_enforces_unicode_patterns(corpus: Path) -> None:
    document = catalog_document(load_catalog(), WHEN)
    document["catalog"]["groups"][0]["controls"][0]["id"] = "not a token"
    assert oscal_errors(corpus, "catalog", document)
    document = catalog_document(load_catalog(), WHEN)
    document["catalog"]["groups"][0]["controls"][0]["id"] = "ünïcode-ok.1"
    assert oscal_errors(corpus, "catalog", document) == []


@pytest.mark.parametrize("name", ["northwind-rtu", "kestrel-plc"])
def test_assessment_results_validate_and_match_the_assessment(
    corpus: Path, example_assessments: dict[str, Assessment], name: str, tmp_path: Path
) -> None:
    assessment = example_assessments[name]
    [path] = write_reports(assessment, tmp_path, ["oscal"])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert oscal_errors(corpus, "assessment-results", document) == []
    ar = document["assessment-results"]
    resources = {r["uuid"]: r for r in ar["back-matter"]["resources"]}
    assert ar["import-ap"]["href"].lstrip("#") in resources
    [result] = ar["results"]
    findings = {f["target"]["target-id"]: f for f in result["findings"]}
    assert list(findings) == [f"{o.criterion_id.lower()}_obj" for o in assessment.outcomes]
    observations = {o["uuid"]: o for o in result["observations"]}
    assert len(observations) == observation_count(assessment)
    tools = {c["uuid"] for c in result["local-definitions"]["assessment-assets"]["components"]}
    hashes = {a.path: a.sha256 for a in assessment.artifacts}
    for outcome in assessment.outcomes:
        finding = findings[f"{outcome.criterion_id.lower()}_obj"]
        satisfied = finding["target"]["status"]["state"] == "satisfied"
        assert satisfied == (outcome.status in (Status.MET, Status.NOT_APPLICABLE))
        for related in finding["related-observations"]:
            observation = observations[related["observation-uuid"]]
            assert observation["origins"][0]["actors"][0]["actor-uuid"] in tools
            for evidence in observation.get("relevant-evidence", []):
                resource = resources[evidence["href"].lstrip("#")]
                [rlink] = resource["rlinks"]
                if rlink["href"] in hashes:
                    assert rlink["hashes"][0] == {"algorithm": "SHA-256", "value": hashes[rlink["href"]]}
    props = {p["name"]: p["value"] for p in result["props"] if p["name"] != "element-score"}
    assert float(props["overall-score"]) == assessment.scores.overall
    assert int(props["blockers"]) == len(assessment.blockers)


def test_assessment_results_escape_hostile_text(
    corpus: Path, example_assessments: dict[str, Assessment]
) -> None:
    from dataclasses import replace

    base = example_assessments["northwind-rtu"]
    outcome = replace(
        base.outcomes[0], rationale="line one\n<img src=x onerror=alert(1)> [click](http://evil.example)  "
    )
    hostile = replace(
        base, outcomes=(outcome, *base.outcomes[1:]), product=replace(base.product, product="  Evil\nName ")
    )
    document = assessment_results(hostile, load_catalog())
    assert oscal_errors(corpus, "assessment-results", document) == []
    [result] = document["assessment-results"]["results"]
    description = result["findings"][0]["description"]
    # Markdown escapes: a viewer shows the text literally, it builds no tag and no link
    assert "\\<img" in description and "\\[click\\]" in description
    assert "<img" not in description.replace("\\<img", "")
    component = result["local-definitions"]["components"][0]
    assert "\n" not in component["title"] and component["title"] == component["title"].strip()


def test_cli_catalog_export_oscal_directory(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "export", "--format", "oscal", "--output", str(tmp_path / "oscal")]) == 0
    written = sorted(p.name for p in (tmp_path / "oscal").iterdir())
    assert len(written) == 2 + len(builtin_profiles())
    for path in (tmp_path / "oscal").iterdir():
        document = json.loads(path.read_text(encoding="utf-8"))
        model = {"catalog": "catalog", "profile": "profile", "mapping-collection": "mapping"}[
            next(iter(document))
        ]
        assert oscal_errors(corpus, model, document) == []
    capsys.readouterr()
    assert main(["catalog", "export", "--format", "oscal", "--profile", "essential"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["profile"]["metadata"]["title"].endswith("(essential)")
