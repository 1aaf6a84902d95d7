"""The CLI through ``main(argv)``: commands, outputs and documented exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from otvet import __version__
from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode

NOW = "2026-11-21T09:00:00+00:00"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.strip() == f"otvet {__version__}"


def test_usage_error_is_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess"]) == ExitCode.INPUT_ERROR
    assert "Missing argument" in capsys.readouterr().err


def test_catalog_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "--profile", "essential"]) == ExitCode.OK
    listing = capsys.readouterr().out
    assert "SBD-06.01" in listing and "in profile essential" in listing
    assert main(["catalog", "show", "SBD-11.08"]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "security.txt" in shown and "EU CRA Annex I" in shown


def test_catalog_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "SBD-99.99"]) == ExitCode.INPUT_ERROR
    assert "no criterion 'SBD-99.99'" in capsys.readouterr().err


def test_catalog_export_json(tmp_path: Path) -> None:
    target = tmp_path / "catalog.json"
    assert (
        main(["catalog", "export", "--format", "json", "--profile", "strict", "-o", str(target)])
        == ExitCode.OK
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["criteria"]) >= 70 and len(data["elements"]) == 12


def test_questionnaire_export_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "q.xlsx"
    assert (
        main(["questionnaire", "export", "--profile", "essential", "-o", str(sheet), "--vendor", "ACME"])
        == ExitCode.OK
    )
    assert sheet.stat().st_size > 0
    assert main(["questionnaire", "import", str(sheet), "-o", str(tmp_path / "a.yaml")]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "22 questions" in out or "questions for ACME" in out
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8").startswith("otvet_questionnaire: 1")


def test_assess_with_blockers_exits_1_and_writes_reports(
    tmp_path: Path, asset: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code = main(["assess", str(asset("bundles/tiny")), "-p", "essential", "-o", str(out_dir), "--now", NOW])
    assert code == ExitCode.FINDINGS
    captured = capsys.readouterr()
    assert "Blockers (1)" in captured.out and "SBD-06.01" in captured.out
    assert "blocker(s) found" in captured.err
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == [
        "test-vendor-tiny-gateway-1.0.0-essential.html",
        "test-vendor-tiny-gateway-1.0.0-essential.json",
    ]


def test_assess_fail_on_never(tmp_path: Path, asset: Callable[[str], Path]) -> None:
    args = [
        "assess",
        str(asset("bundles/tiny")),
        "-p",
        "essential",
        "-o",
        str(tmp_path),
        "--fail-on",
        "never",
    ]
    assert main(args) == ExitCode.OK


def test_assess_missing_bundle_is_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(tmp_path / "nope"), "-o", str(tmp_path)]) == ExitCode.INPUT_ERROR
    assert "no such file or directory" in capsys.readouterr().err


def test_assess_unknown_format_and_profile(
    tmp_path: Path, asset: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = str(asset("bundles/tiny"))
    assert main(["assess", bundle, "-o", str(tmp_path), "--format", "pdfx"]) == ExitCode.INPUT_ERROR
    assert "unknown report format" in capsys.readouterr().err
    assert main(["assess", bundle, "-o", str(tmp_path), "--profile", "nonsense"]) == ExitCode.INPUT_ERROR
    assert "not a built-in profile" in capsys.readouterr().err


def test_assess_evidence_option_adds_files_to_the_bundle(
    tmp_path: Path, asset: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "events.log"
    extra.write_text(
        '<86>1 2026-09-10T07:12:44Z plc auth - AUTH_FAIL [e@1 src="10.0.0.5" srcPort="5" account="x" corrId="c"] Login failed\n',
        encoding="utf-8",
    )
    out_dir = tmp_path / "out"
    args = [
        "assess",
        str(asset("bundles/tiny")),
        "-p",
        "strict",
        "-o",
        str(out_dir),
        "-f",
        "json",
        "--fail-on",
        "never",
    ]
    assert main([*args, "--evidence", str(extra)]) == ExitCode.OK
    document = json.loads(next(out_dir.glob("*.json")).read_text(encoding="utf-8"))
    added = [a for a in document["artifacts"] if a["path"] == "extra/events.log"]
    assert added and added[0]["kind"] == "log_sample"
    fields = next(o for o in document["outcomes"] if o["criterion_id"] == "SBD-02.10")
    assert fields["basis"] == "verified"
