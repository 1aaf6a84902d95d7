"""``otvet probe`` from the command line: the dry run, a real run, and ``assess --probe``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from otvet.cli.app import main
from otvet.cli.exit_codes import ExitCode
from tests.probe.conftest import Lab
from tests.probe.range.legacy import LegacyDevice


def test_the_dry_run_lists_everything_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the dry run touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    code = main(
        [
            "probe",
            "192.0.2.10",
            "-P",
            "502=modbus",
            "-P",
            "161/udp=snmp",
            "--write-register",
            "5",
            "--default-ports",
            "--dry-run",
        ]
    )
    text = capsys.readouterr().out
    assert code == ExitCode.OK
    assert (
        "telnet.service (safe) on tcp/23 (well-known port): runs" in text
    )  # opted in: legacy services on their well-known ports
    assert "modbus.read" in text and "function 3 (read 1 holding register at address 0) at unit 1" in text
    assert "creds.http" in text and "needs --auth" in text
    assert "modbus.writeback" in text and "needs --intrusive and a lab confirmation" in text
    assert "budget 32 connection(s), 0 message(s)" in text  # the inventory


def test_without_default_ports_only_declared_ports_get_requests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "192.0.2.10", "-P", "502=modbus", "--dry-run"]) == ExitCode.OK
    text = capsys.readouterr().out
    assert "tcp/23" not in text and "udp/161" not in text
    assert "no port declared for telnet" in text and "no port declared for snmp" in text


def test_extended_checks_without_a_confirmation_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["probe", "192.0.2.10", "-P", "80=http", "--auth", "--extended", "--lab-allow", "192.0.2.10"])
    assert code == ExitCode.INPUT_ERROR
    assert "--confirm 'probe 192.0.2.10 in the lab'" in capsys.readouterr().err


def test_list_checks_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "--list-checks"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "`modbus.writeback`" in out and "`--intrusive` + lab confirmation" in out


def test_a_real_run_writes_evidence_that_assess_uses(
    lab: Lab, tmp_path: Path, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = lab.device(LegacyDevice, "bad")
    target = tmp_path / "target.yaml"
    ports = "\n".join(
        f"  {p}{'/udp' if t.value == 'udp' else ''}: {name}" for name, (p, t) in device.ports.items()
    )
    target.write_text(
        f"otvet_probe_target: 1\nhost: {device.address}\nvendor: Northwind Controls\nproduct: NW-RTU 500\n"
        f"version: 3.2.1\ndefault_ports: false\ninventory_ports: []\nports:\n{ports}\n",
        encoding="utf-8",
    )
    result = tmp_path / "probe.json"
    code = main(
        [
            "probe",
            device.address,
            "-t",
            str(target),
            "--min-gap",
            "0.05",
            "--heartbeat-interval",
            "60",
            "-o",
            str(result),
            "--label",
            "simulated=true",
        ]
    )
    assert code == ExitCode.FINDINGS  # Telnet, FTP, TFTP and HTTP are on
    document = json.loads(result.read_text(encoding="utf-8"))
    assert next(iter(document)) == "otvet_probe"
    assert document["labels"] == {"simulated": "true"}
    assert {c["check_id"]: c["verdict"] for c in document["checks"]}["telnet.service"] == "fail"
    out_dir = tmp_path / "out"
    code = main(
        [
            "assess",
            str(examples / "northwind-rtu"),
            "--probe",
            str(result),
            "-o",
            str(out_dir),
            "-f",
            "json",
            "--fail-on",
            "never",
        ]
    )
    assert code == ExitCode.OK
    report = json.loads(next(out_dir.glob("*.json")).read_text(encoding="utf-8"))
    sections = {s["id"] for s in report["sections"]}
    assert "probe" in sections
    assert any(a["path"] == "extra/probe.json" and a["kind"] == "probe_result" for a in report["artifacts"])
