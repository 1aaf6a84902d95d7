"""Target files and command-line port maps: valid ones read, invalid ones named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from otvet.model.errors import InputError
from otvet.model.probe import Transport
from otvet.probe.targets import load_target, parse_port_assignment, parse_port_list

GOOD = """\
otvet_probe_target: 1
host: 192.0.2.10
vendor: Northwind Controls
ports:
  23: telnet
  161/udp: snmp
  502: modbus
documented_ports: [tcp/23, 161/udp, 502]
modbus: {unit_id: 3, register: 7, write_register: 9}
lab: {allow_list: [192.0.2.10]}
"""


def test_a_target_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_target(path)
    target = loaded.target
    assert target.host == "192.0.2.10"
    assert [(p.port, p.transport, p.protocol) for p in target.ports] == [
        (23, Transport.TCP, "telnet"),
        (161, Transport.UDP, "snmp"),
        (502, Transport.TCP, "modbus"),
    ]
    assert target.documented_ports == ("tcp/23", "udp/161", "tcp/502")
    assert (target.modbus_unit_id, target.modbus_register, target.modbus_write_register) == (3, 7, 9)
    assert loaded.allow_list == ("192.0.2.10",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("host: 192.0.2.10\n", "not an otvet probe target"),
        ("otvet_probe_target: 1\nhost: 192.0.2.0/24\n", "no ranges"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nports: {502: modbuss}\n", "unknown protocol"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nports: {161/tcp: snmp}\n", "runs over udp"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nports: {70000: http}\n", "out of range"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nmodbus: {unit_id: 300}\n", "modbus.unit_id"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nscan_everything: true\n", "unknown keys"),
        ("otvet_probe_target: 1\nhost: 192.0.2.10\nports: &a {502: modbus}\nx: *a\n", "anchors"),
    ],
)
def test_bad_target_files_are_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_target(path)
    assert str(path) in str(caught.value)


def test_command_line_port_forms() -> None:
    assert parse_port_assignment("161/udp=snmp").transport is Transport.UDP
    assert parse_port_list(["tcp/80,udp/161", "502"]) == ("tcp/80", "udp/161", "tcp/502")
    for bad in ("502", "502=", "x=modbus", "502=ftp/udp"):
        with pytest.raises(InputError):
            parse_port_assignment(bad)
