"""``otvet sbom inspect`` through ``main(argv)``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.console import out
from otvet.cli.exit_codes import ExitCode


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are drawn for the terminal; a wide one keeps each row on one line."""
    monkeypatch.setattr(out, "width", 250)


def test_inspect_prints_the_quality_table_and_writes_json(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sbom = examples / "northwind-rtu/sbom/nw-rtu-500-3.2.1.cdx.json"
    raw = json.loads(sbom.read_text(encoding="utf-8"))
    target = tmp_path / "inspection.json"
    code = main(
        ["sbom", "inspect", str(sbom), "--product", "NW-RTU 500", "--version", "3.2.1", "-o", str(target)]
    )
    assert code == ExitCode.OK
    printed = capsys.readouterr().out
    assert f"{len(raw['components'])} components" in printed
    assert "field coverage" in printed and "dangling dependency references" in printed
    assert "nw-rtu-app -> libpcap" in printed
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["otvet_sbom_inspection"] == 1
    assert len(written["document"]["components"]) == len(raw["components"])
    assert written["quality"]["product_match"] == "version mismatch"
    versions = next(c for c in written["quality"]["coverage"] if c["field"] == "version")
    assert versions["have"] == sum(1 for c in raw["components"] if "version" in c)


def test_inspect_unreadable_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("this is no SBOM\n", encoding="utf-8")
    assert main(["sbom", "inspect", str(target)]) == ExitCode.INPUT_ERROR
    assert "not an SBOM" in capsys.readouterr().err


def test_inspect_spdx_tag_value_shows_problems(
    capsys: pytest.CaptureFixture[str], asset: Callable[[str], Path]
) -> None:
    path = asset("sbom/gateway.invalid-lines.spdx")
    assert main(["sbom", "inspect", str(path), "--no-conformance"]) == ExitCode.OK
    printed = capsys.readouterr().out
    assert "SPDX 2.3 tag-value" in printed and "Problems: 3 error(s)" in printed
