"""``otvet trust`` and ``otvet update`` through ``main(argv)``: exit codes, reports, the workflow, the trail."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from otvet.core import audit as audit_service
from otvet.core import updates as update_service
from tests.updates.conftest import Minisign, sums_for


@pytest.fixture(autouse=True)
def _fresh_services(otvet_home: Path) -> Iterator[None]:
    yield
    audit_service.close_all()
    update_service.close_all()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "ka9-5.4.2.bin"
    path.write_bytes(b"KA9\x00" + bytes(range(256)) * 16)
    return path


@pytest.fixture
def minisign(tmp_path: Path) -> Minisign:
    keys = tmp_path / "keys"
    keys.mkdir()
    return Minisign(keys)


@pytest.fixture
def signed(package: Path, minisign: Minisign) -> tuple[Path, Path, Path]:
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    return public, sums, minisign.sign(secret, sums)


def test_trust_add_list_remove(signed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    public, _, _ = signed
    assert (
        main(["trust", "add", "minisign", str(public), "--vendor", "Kestrel Automation", "--by", "alice"])
        == ExitCode.OK
    )
    entry_id = re.search(r"added (\w+) minisign", capsys.readouterr().out)
    assert entry_id
    assert main(["trust", "list"]) == ExitCode.OK
    listing = capsys.readouterr().out
    assert "alice" in listing and "Kestrel" in listing and "trust store digest sha256:" in listing
    assert main(["trust", "add", "openpgp", str(public)]) == ExitCode.INPUT_ERROR
    assert main(["trust", "add", "pgp", str(public)]) == ExitCode.INPUT_ERROR
    assert "unknown trust kind" in capsys.readouterr().err
    assert main(["trust", "remove", entry_id.group(1), "--by", "bob"]) == ExitCode.OK
    actions = [r.action for r in audit_service.records()]
    assert actions == ["trust.add", "trust.remove"]


def test_verify_exit_codes_and_report(
    package: Path, signed: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public, sums, signature = signed
    assert main(["trust", "add", "minisign", str(public)]) == ExitCode.OK
    report = tmp_path / "report.json"
    args = ["update", "verify", str(package), "--sums", str(sums), "--signature", str(signature)]
    assert main([*args, "-o", str(report)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "AUTHENTIC" in out and "✔ c1 minisign" in out
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"] == "authentic"
    record = list(audit_service.records())[-1]
    assert (
        record.action == "update.verify"
        and record.details["report_sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    )

    assert main(["update", "verify", str(package)]) == ExitCode.FINDINGS  # unsigned: never accepted
    assert (
        main(["update", "verify", str(package), "--sums", str(sums)]) == ExitCode.FINDINGS
    )  # integrity only
    assert "INTEGRITY ONLY" in capsys.readouterr().out
    package.write_bytes(package.read_bytes() + b"!")
    assert main(args) == ExitCode.FINDINGS
    assert "FAILED" in capsys.readouterr().out
    assert main(["update", "verify", str(package), "--sha256", "00" * 32]) == ExitCode.INPUT_ERROR
    assert (
        main(["update", "verify", str(package), "--signature", str(signature), "--at", "yesterday"])
        == ExitCode.INPUT_ERROR
    )


def test_diff_says_when_vulnerability_data_is_missing(
    otvet_home: Path, examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = examples / "kestrel-plc" / "sbom" / "ka9-5.4.0.cdx.json"
    document = json.loads(old.read_text(encoding="utf-8"))
    updated = copy.deepcopy(document)
    updated["components"] = updated["components"][1:]
    new = tmp_path / "new.cdx.json"
    new.write_text(json.dumps(updated), encoding="utf-8")
    assert main(["update", "diff", str(old), str(new), "-o", str(tmp_path / "diff.json")]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "1 removed" in out and "vulnerability data not available" in out


def test_the_whole_workflow_from_the_command_line(
    package: Path,
    signed: tuple[Path, Path, Path],
    examples: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    public, sums, signature = signed
    main(["trust", "add", "minisign", str(public), "--by", "alice"])
    report, diff = tmp_path / "report.json", tmp_path / "diff.json"
    main(
        [
            "update",
            "verify",
            str(package),
            "--sums",
            str(sums),
            "--signature",
            str(signature),
            "-o",
            str(report),
        ]
    )
    sbom = examples / "kestrel-plc" / "sbom" / "ka9-5.4.0.cdx.json"
    main(["update", "diff", str(sbom), str(sbom), "-o", str(diff)])
    previous = tmp_path / "ka9-5.4.1.bin"
    previous.write_bytes(b"previous")
    capsys.readouterr()
    code = main(
        [
            "update", "intake", str(package), "--product", "KA-9", "--version", "5.4.2", "--by", "alice",
            "--report", str(report), "--sbom-diff", str(diff), "--previous-version", "5.4.1",
            "--previous-package", str(previous), "--config-backup", "backup ID CB-17", "--golden-image", "GI-2026-07",
        ]
    )  # fmt: skip
    assert code == ExitCode.OK
    out = capsys.readouterr().out
    intake_id = re.search(r"(UPD-\d{8}-[0-9A-F]{6})", out)
    assert intake_id and "assessed" in out
    identifier = intake_id.group(1)
    assert main(["update", "approve", identifier, "--by", "alice"]) == ExitCode.INPUT_ERROR
    assert "cannot approve" in capsys.readouterr().err
    assert main(["update", "approve", identifier, "--by", "bob"]) == ExitCode.OK
    assert main(["update", "approve", identifier, "--by", "bob"]) == ExitCode.INPUT_ERROR
    assert main(["update", "approve", identifier, "--by", "carol", "--comment", "lab tested"]) == ExitCode.OK
    assert main(["update", "deploy", identifier, "--by", "bob"]) == ExitCode.OK
    assert main(["update", "validate", identifier, "--by", "carol"]) == ExitCode.OK
    capsys.readouterr()
    assert main(["update", "status", identifier]) == ExitCode.OK
    assert ": validated" in capsys.readouterr().out
    assert main(["update", "status"]) == ExitCode.OK
    assert identifier in capsys.readouterr().out
    trail = list(audit_service.records(correlation_id=identifier))
    assert [r.action for r in trail].count("update.approve") == 4  # two approvals, two refusals
    assert main(["audit", "verify"]) == ExitCode.OK
