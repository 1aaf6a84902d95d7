"""The README quick start: what `make run` does must hold (same command, same example)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from otvet.catalog import load_catalog
from otvet.cli.app import main

REPO = Path(__file__).resolve().parent.parent


def _make_run_arguments() -> tuple[str, str, list[str]]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    example = re.search(r"^EXAMPLE \?= (\S+)$", makefile, re.MULTILINE)
    profile = re.search(r"^PROFILE \?= (\S+)$", makefile, re.MULTILINE)
    probe = re.search(r"^PROBE +\?= *(.*)$", makefile, re.MULTILINE)
    assert example and profile and probe
    assert "$(foreach p,$(PROBE),--probe $(p))" in makefile  # each PROBE file is passed with --probe
    return example.group(1), profile.group(1), probe.group(1).split()


def test_readme_quick_start_is_two_make_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [
        line.split("#")[0].strip()
        for line in block.splitlines()
        if line.strip() and not line.startswith("sh")
    ]
    assert commands == ["make run", "make test"]


def test_make_run_writes_reports_covering_every_criterion_and_element(tmp_path: Path) -> None:
    example, profile, probes = _make_run_arguments()
    out = tmp_path / "out"
    code = main(
        [
            "assess",
            str(REPO / example),
            "--profile",
            profile,
            *[arg for probe in probes for arg in ("--probe", str(REPO / probe))],
            "--output",
            str(out),
            "--format",
            "html,json",
            "--fail-on",
            "never",
        ]
    )
    assert code == 0
    [json_file] = out.glob("*.json")
    assert list(out.glob("*.html"))
    document = json.loads(json_file.read_text(encoding="utf-8"))
    schema = json.loads((REPO / "docs" / "assessment.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    catalog = load_catalog()
    assert {o["criterion_id"] for o in document["outcomes"]} == set(catalog.ids())
    assert [e["element"] for e in document["scores"]["elements"]] == [e.key for e in catalog.elements]
    # The lab probe result is the buyer's evidence: its findings are observations, not claims.
    assert probes, "make run passes the example's lab probe result"
    probe_artifacts = [a for a in document["artifacts"] if a["kind"] == "probe_result"]
    assert [(a["path"], a["origin"]) for a in probe_artifacts] == [
        (f"extra/{Path(p).name}", "buyer") for p in probes
    ]
    observed = [o for o in document["outcomes"] if o["basis"] == "observed"]
    assert observed and all(o["analyzer"] == "probe" for o in observed)
