"""``otvet csaf``: validate, check-distribution, match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otvet.cli.app import main


def test_validate_examples(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["csaf", "validate", str(examples / "kestrel-plc" / "advisories")]) == 0
    assert "2 document(s): 2 valid, 0 invalid" in capsys.readouterr().out


def test_validate_reports_pointer_and_test_id(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((examples / "northwind-rtu/advisories/nwc-sa-2025-004.json").read_text(encoding="utf-8"))
    doc["vulnerabilities"][0]["product_status"]["fixed"].append("CSAFPID-9999")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["csaf", "validate", str(bad)]) == 1
    assert "6.1.1 /vulnerabilities/0/product_status/fixed/1" in capsys.readouterr().out


@pytest.mark.corpus
def test_match_on_corpus(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    advisory = corpus / "csaf/cisa-ot/2023/icsa-23-005-01.json"
    assert (
        main(
            [
                "csaf",
                "match",
                str(advisory),
                "--vendor",
                "Hitachi Energy",
                "--product",
                "UNEM",
                "--version",
                "R14A",
            ]
        )
        == 0
    )
    assert "match     exact        CSAFPID-0005" in capsys.readouterr().out
