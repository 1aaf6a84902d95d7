"""``otvet db import csaf`` and ``otvet vulns match --vex CSAF`` from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode

pytestmark = pytest.mark.corpus

ADVISORY = "csaf/cisa-ot/2018/icsa-18-095-02.json"


def test_db_import_csaf_reports_invalid_documents_and_status(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "csaf"
    folder.mkdir()
    good = json.loads((corpus / ADVISORY).read_bytes())
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    bad = json.loads(json.dumps(good))
    bad["document"]["tracking"]["id"] = "ICSA-18-095-97"
    bad["vulnerabilities"][0]["product_status"]["known_affected"] = ["CSAFPID-0404"]
    (folder / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert main(["db", "import", "csaf", str(folder), "--db", db]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "records read" in captured.out and "1 document(s) failed CSAF validation" in captured.out
    assert (
        "[CSAF 6.1.1]" in captured.err
        and "bad.json /vulnerabilities/0/product_status/known_affected/0" in captured.err
    )
    assert main(["db", "status", "--db", db]) == ExitCode.OK
    status = capsys.readouterr().out
    assert "CSAF" in status and "CSAF advisories: 2" in status


def test_vulns_match_applies_csaf_vex(
    corpus: Path, tmp_path: Path, asset: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert (
        main(["db", "import", "nvd", str(corpus / "nvd" / "CVE-2023-0286.json"), "--db", db]) == ExitCode.OK
    )
    sbom = tmp_path / "ka9.cdx.json"
    sbom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "version": 1,
                "metadata": {
                    "component": {
                        "type": "firmware",
                        "bom-ref": "ka9",
                        "name": "KA-9 Safety PLC",
                        "version": "5.4.0",
                        "supplier": {"name": "Kestrel Automation"},
                    }
                },
                "components": [
                    {
                        "type": "library",
                        "bom-ref": "openssl",
                        "name": "openssl",
                        "version": "3.0.1",
                        "cpe": "cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    vex = asset("vex/ka9-csaf-vex-by-name.json")
    assert (
        main(["vulns", "match", str(sbom), "--db", db, "--vex", str(vex), "-o", str(tmp_path / "m.json")])
        == 0
    )
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    (match,) = data["report"]["matches"]
    assert match["vulnerability"] == "CVE-2023-0286" and match["vex"]["status"] == "not_affected"
    assert match["vex"]["confidence"] == "parsed_range"
    assert "not_affected" in capsys.readouterr().out
