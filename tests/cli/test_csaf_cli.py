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


def test_match_by_sku_and_firmware_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = "9f2c" * 16
    tree = {
        "branches": [
            {
                "category": "vendor",
                "name": "Kestrel Automation",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "KA-9 CM communication module",
                        "product": {
                            "name": "KA-9 CM communication module",
                            "product_id": "CSAFPID-0001",
                            "product_identification_helper": {"skus": ["KA9-CM-00??"]},
                        },
                    }
                ],
            }
        ],
        "full_product_names": [
            {
                "name": "KA-9 firmware image",
                "product_id": "CSAFPID-0002",
                "product_identification_helper": {
                    "hashes": [
                        {"filename": "ka9.bin", "file_hashes": [{"algorithm": "sha256", "value": image}]}
                    ]
                },
            }
        ],
    }
    advisory = tmp_path / "advisory.json"
    advisory.write_text(json.dumps({"document": {"title": "t"}, "product_tree": tree}), encoding="utf-8")
    argv = ["csaf", "match", str(advisory), "--vendor", "Kestrel Automation", "--product", "KA-9 Safety PLC"]
    assert main([*argv, "--sku", "KA9-CM-0042", "--sha256", image.upper()]) == 0
    out = capsys.readouterr().out
    assert "match     exact        CSAFPID-0001" in out and "SKU KA9-CM-00?? matches" in out
    assert "match     exact        CSAFPID-0002" in out
    assert main(argv) == 0
    assert "0 advisory file(s) name this product" in capsys.readouterr().out


def test_match_reports_files_it_could_not_read(
    tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.json").write_bytes(
        (examples / "kestrel-plc/advisories/ka-sa-2026-001.json").read_bytes()
    )
    (tmp_path / "broken.json").write_text('{"document": {', encoding="utf-8")
    argv = ["csaf", "match", str(tmp_path), "--vendor", "Kestrel Automation", "--product", "KA-9 Safety PLC"]
    assert main([*argv, "--version", "5.3.0"]) == 2
    out = capsys.readouterr().out
    assert "1 advisory file(s) name this product" in out
    assert "not read: " in out and "broken.json" in out and "not valid JSON" in out
    assert "1 file(s) could not be read" in out
