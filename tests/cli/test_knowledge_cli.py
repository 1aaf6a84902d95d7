"""``otvet db`` and ``otvet vulns`` through ``main(argv)``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode

pytestmark = pytest.mark.corpus


def test_db_import_status_and_vulns_match(
    otvet_home: Path, corpus: Path, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "import", "nvd", str(corpus / "nvd")]) == ExitCode.OK
    assert "added" in capsys.readouterr().out
    assert main(["db", "import", "nvd", str(corpus / "nvd")]) == ExitCode.OK
    assert "already imported" in capsys.readouterr().out
    assert (
        main(["db", "import", "kev", str(corpus / "kev" / "known_exploited_vulnerabilities.json")])
        == ExitCode.OK
    )
    capsys.readouterr()
    assert (otvet_home / "knowledge.sqlite3").is_file()
    assert main(["db", "status"]) == ExitCode.OK
    status = capsys.readouterr().out
    assert "NVD" in status and "KEV" in status
    out_file = tmp_path / "matches.json"
    sbom = examples / "northwind-rtu" / "sbom" / "nw-rtu-500-3.2.1.cdx.json"
    assert main(["vulns", "match", str(sbom), "-o", str(out_file)]) == ExitCode.OK
    printed = capsys.readouterr().out
    assert "CVE-2023-0286" in printed and "could not be checked" in printed
    assert "Matched against:" in printed and "kev" in printed.split("Matched against:")[1]
    data = json.loads(out_file.read_text())
    assert {m["vulnerability"] for m in data["report"]["matches"]} >= {"CVE-2023-0286", "CVE-2022-37434"}
    assert all(m["evidence"][0]["basis"] == "cpe-range" for m in data["report"]["matches"])


def test_vulns_match_with_vex_and_fail_on_kev(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert (
        main(["db", "import", "nvd", str(corpus / "nvd" / "CVE-2021-44228.json"), "--db", db]) == ExitCode.OK
    )
    assert (
        main(
            ["db", "import", "kev", str(corpus / "kev" / "known_exploited_vulnerabilities.json"), "--db", db]
        )
        == ExitCode.OK
    )
    sbom = tmp_path / "app.cdx.json"
    sbom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "version": 1,
                "metadata": {
                    "component": {
                        "type": "application",
                        "bom-ref": "product-ABC",
                        "name": "ABC",
                        "version": "4.2",
                    }
                },
                "components": [
                    {
                        "type": "library",
                        "bom-ref": "log4j",
                        "name": "log4j-core",
                        "version": "2.14.1",
                        "cpe": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
                    }
                ],
            }
        )
    )
    capsys.readouterr()
    assert main(["vulns", "match", str(sbom), "--db", db, "--fail-on-kev"]) == ExitCode.FINDINGS
    assert "KEV" in capsys.readouterr().out
    vex = corpus / "vex" / "cyclonedx" / "CISA-Use-Cases" / "Case-1" / "vex-not_affected.json"
    assert main(["vulns", "match", str(sbom), "--db", db, "--vex", str(vex), "--fail-on-kev"]) == ExitCode.OK
    assert "0 open, 0 open and KEV-listed, 1 covered by not_affected/fixed VEX" in " ".join(
        capsys.readouterr().out.split()
    )


def test_db_import_unknown_source_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        main(["db", "import", "cvrf", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'k.sqlite3'}"])
        == ExitCode.INPUT_ERROR
    )
    assert "unknown data source" in capsys.readouterr().err


def test_assess_uses_the_store_given_by_db(
    tmp_path: Path, corpus: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert main(["db", "import", "nvd", str(corpus / "nvd"), "--db", db]) == ExitCode.OK
    out = tmp_path / "out"
    code = main(
        [
            "assess",
            str(examples / "northwind-rtu"),
            "--db",
            db,
            "-o",
            str(out),
            "-f",
            "json",
            "--fail-on",
            "never",
            "--now",
            "2026-07-01T00:00:00+00:00",
        ]
    )
    assert code == ExitCode.OK
    (report,) = out.glob("*.json")
    data = json.loads(report.read_text())
    assert any(d["source"] == "nvd" for d in data["provenance"]["data_sets"])
    assert any(s["id"] == "vulnerabilities" for s in data["sections"])
