"""Every check against the good and the bad variant of its simulated device.

Bad variants must produce the expected failing check, good variants no false failure. The
assertions name the simulator's configuration (what it was built to do), not what the
probe reported elsewhere.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from otvet.formats.probe import probe_result_json
from otvet.model.probe import Category, LabConfirmation, PortSpec, ProbeRun, Transport, Verdict
from otvet.probe import credentials
from otvet.probe.engine import expected_phrase
from tests.probe.conftest import Lab, options, probe, record
from tests.probe.range.legacy import LegacyDevice
from tests.probe.range.modbusdev import IDENTITY, ModbusDevice
from tests.probe.range.opcuadev import OpcuaDevice
from tests.probe.range.snmpdev import SYS_DESCR, SnmpDevice
from tests.probe.range.sshdev import SshDevice
from tests.probe.range.tlsdev import TlsDevice

pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")


def lab_ok(address: str) -> LabConfirmation:
    phrase = expected_phrase(address)
    return LabConfirmation((address,), phrase, phrase, datetime.now(UTC))


def findings(run: ProbeRun, check_id: str) -> dict[str, Verdict]:
    return {f.key: f.verdict for f in record(run, check_id).findings}


def no_failures(run: ProbeRun) -> None:
    failed = [f"{r.label}: {r.rationale}" for r in run.checks if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert failed == []
    assert run.watch.verdict is Verdict.PASS


# --- legacy services -------------------------------------------------------------------------


def test_legacy_services_on_are_found(lab: Lab) -> None:
    device = lab.device(LegacyDevice, "bad")
    run = probe(device.target())
    for check in ("telnet.service", "ftp.service", "tftp.service", "http.cleartext"):
        assert record(run, check).verdict is Verdict.FAIL, check
    assert "negotiation" in record(run, "telnet.service").fields
    assert record(run, "ftp.service").fields["greeting"].startswith("220 NW-RTU 500")
    assert record(run, "tftp.service").fields["reply"].startswith("ERROR 1")
    assert 'Basic realm="NW-RTU 500"' in record(run, "http.cleartext").fields["www_authenticate"]


def test_legacy_services_off_are_passes(lab: Lab) -> None:
    device = lab.device(LegacyDevice, "good")
    run = probe(device.target())
    for check in ("telnet.service", "ftp.service", "tftp.service", "http.cleartext"):
        assert record(run, check).verdict is Verdict.PASS, check
    no_failures(run)


def test_default_credentials_are_found_and_passwords_never_recorded(lab: Lab, tmp_path: Path) -> None:
    device = lab.device(LegacyDevice, "bad")
    # A vendor list whose first row is the simulator's maintenance account.
    csv = tmp_path / "vendor.csv"
    csv.write_text(
        "vendor,product,service,username,password,source\n"
        "Northwind Controls,NW-RTU 500,any,maint,Nw-Maint-7731,vendor manual\n"
        "*,,any,admin,admin,generic\n",
        encoding="utf-8",
    )
    mark = device.mark()
    run = probe(device.target(), options(Category.AUTH), credentials=credentials.load(csv))
    for check in ("creds.http", "creds.telnet", "creds.ftp"):
        assert record(run, check).verdict is Verdict.FAIL, check
    assert record(run, "ftp.anonymous").verdict is Verdict.FAIL
    accepted = [e for e in device.ledger.of("auth", mark) if e["ok"]]
    assert {e["service"] for e in accepted} >= {"http", "telnet", "ftp"}
    # The maintenance password was really sent (the device logged the attempt) ...
    assert any(e["user"] == "maint" and not e["ok"] for e in device.ledger.of("auth", mark))
    # ... but appears nowhere in the evidence, neither in clear nor base64-encoded.
    text = probe_result_json(run)
    for secret in ("Nw-Maint-7731", base64.b64encode(b"maint:Nw-Maint-7731").decode()):
        assert secret not in text
        assert secret.encode().hex() not in text
    tried = [t["credential"] for t in record(run, "creds.http").fields["tried"]]
    assert tried[0].startswith("maint / <redacted> (vendor.csv line 2)")
    # At most three pairs per service, never more.
    per_service: dict[str, int] = {}
    for event in device.ledger.of("auth", mark):
        per_service[event["service"]] = per_service.get(event["service"], 0) + 1
    assert per_service["http"] <= 3 and per_service["telnet"] <= 3
    assert per_service["ftp"] <= 3 + 1  # three pairs plus the one anonymous attempt


def test_lockout_check(lab: Lab) -> None:
    locking = lab.device(LegacyDevice, "lockout")
    run = probe(
        locking.target(),
        options(Category.AUTH, Category.EXTENDED, lab=lab_ok(locking.address), only=("auth.lockout",)),
    )
    found = [r for r in run.checks if r.check_id == "auth.lockout" and r.protocol == "http"]
    assert found and found[0].verdict is Verdict.PASS
    assert "423" in found[0].rationale
    open_door = lab.device(LegacyDevice, "bad")
    run = probe(
        open_door.target(),
        options(Category.AUTH, Category.EXTENDED, lab=lab_ok(open_door.address), only=("auth.lockout",)),
    )
    verdicts = {r.protocol: r.verdict for r in run.checks if r.check_id == "auth.lockout"}
    assert verdicts == {"http": Verdict.FAIL, "ftp": Verdict.FAIL}


# --- TLS ---------------------------------------------------------------------------------


def test_tls_legacy_versions_and_self_signed_certificate(lab: Lab) -> None:
    device = lab.device(TlsDevice, "legacy")
    run = probe(device.target())
    versions = record(run, "tls.versions")
    assert versions.verdict is Verdict.FAIL
    assert versions.fields["versions"]["TLS 1.0"] == "accepted"
    assert versions.fields["versions"]["TLS 1.1"] == "accepted"
    assert versions.fields["versions"]["TLS 1.2"] == "refused"
    assert findings(run, "tls.versions")["legacy"] is Verdict.FAIL
    certificate = record(run, "tls.certificate")
    assert findings(run, "tls.certificate")["self-signed"] is Verdict.FAIL
    # The certificate the probe judged is the simulator's own.
    assert (
        certificate.fields["certificate"]["sha256"]
        == device.certificate.cert.fingerprint(hashes.SHA256()).hex()
    )


def test_tls_expired_certificate(lab: Lab) -> None:
    device = lab.device(TlsDevice, "expired")
    run = probe(device.target())
    assert findings(run, "tls.certificate")["expired"] is Verdict.FAIL
    assert findings(run, "tls.versions")["legacy"] is Verdict.PASS


def test_tls_good_with_trust_anchor(lab: Lab) -> None:
    device = lab.device(TlsDevice, "good")
    run = probe(device.target(), trust_anchor=device.ca.pem)
    no_failures(run)
    assert findings(run, "tls.certificate")["chain"] is Verdict.PASS
    assert record(run, "tls.versions").fields["versions"]["TLS 1.3"] == "accepted"
    # Without the owner's anchor the chain cannot be judged: indeterminate, not pass.
    blind = probe(device.target(), options(only=("tls.certificate",)))
    assert findings(blind, "tls.certificate")["chain"] is Verdict.INDETERMINATE


# --- SSH ---------------------------------------------------------------------------------


def test_ssh_weak_algorithms_and_password(lab: Lab) -> None:
    device = lab.device(SshDevice, "bad")
    mark = device.mark()
    run = probe(device.target())
    algorithms = record(run, "ssh.algorithms")
    assert algorithms.verdict is Verdict.FAIL
    assert "diffie-hellman-group1-sha1" in algorithms.fields["kex_algorithms"]
    assert "diffie-hellman-group1-sha1" in algorithms.rationale
    assert device.ledger.of("auth", mark) == []  # the KEXINIT check never logs in
    run = probe(device.target(), options(Category.AUTH, only=("creds.ssh", "ssh.auth_methods")))
    assert record(run, "creds.ssh").verdict is Verdict.FAIL
    assert "password" in record(run, "ssh.auth_methods").fields["offered"]


def test_ssh_modern(lab: Lab) -> None:
    device = lab.device(SshDevice, "good")
    run = probe(device.target(), options(Category.AUTH))
    no_failures(run)
    assert record(run, "ssh.algorithms").verdict is Verdict.PASS
    assert record(run, "ssh.auth_methods").fields["offered"] == ["publickey"]


def test_ssh_check_sends_nothing_to_a_port_that_announces_no_ssh(lab: Lab) -> None:
    device = lab.device(LegacyDevice, "good")
    port, _ = device.ports["tcp"]  # a silent service: it waits for the client to speak first
    mark = device.mark()
    target = device.target(ports=(PortSpec(port, Transport.TCP, "ssh"),), inventory_ports=())
    run = probe(target, options(only=("ssh.algorithms",)))
    assert record(run, "ssh.algorithms").verdict is Verdict.INDETERMINATE
    device.ledger.settle(mark)
    conns = [c for c in device.ledger.conns(mark) if c.port == port]  # the check's and the heartbeats'
    assert conns and all(c.bytes_in == 0 and c.end == "eof" for c in conns)


# --- Modbus ------------------------------------------------------------------------------


def test_modbus_without_authentication(lab: Lab) -> None:
    device = lab.device(ModbusDevice, "bad")
    mark = device.mark()
    run = probe(
        device.target(modbus_write_register=7), options(Category.INTRUSIVE, lab=lab_ok(device.address))
    )
    assert record(run, "modbus.identify").fields["identification"] == IDENTITY
    assert record(run, "modbus.read").verdict is Verdict.FAIL
    assert record(run, "modbus.writeback").verdict is Verdict.FAIL
    writes = device.ledger.of("write", mark)
    # Exactly one write, of the value the register already held, to the named register.
    assert [(w["address"], w["values"]) for w in writes] == [(7, [1234])]


def test_modbus_security_requires_client_certificate(lab: Lab) -> None:
    device = lab.device(ModbusDevice, "good")
    run = probe(device.target())
    assert record(run, "modbus.tls_client_auth").verdict is Verdict.PASS
    no_failures_except_chain = [r for r in run.checks if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert no_failures_except_chain == []


# --- OPC UA ------------------------------------------------------------------------------


def test_opcua_none_mode_deprecated_policies_and_anonymous_writes(lab: Lab) -> None:
    device = lab.device(OpcuaDevice, "bad")
    run = probe(device.target(), options(Category.AUTH))
    assert findings(run, "opcua.endpoints")["none-mode"] is Verdict.FAIL
    assert findings(run, "opcua.endpoints")["policies"] is Verdict.FAIL
    anonymous = record(run, "opcua.anonymous")
    assert findings(run, "opcua.anonymous") == {
        "anonymous": Verdict.FAIL,
        "unauthenticated-control": Verdict.FAIL,
    }
    assert any(w.startswith("Setpoint") for w in anonymous.fields["writable"])
    assert any(m.startswith("ResetCounters") for m in anonymous.fields["executable"])
    # Reboot detection through the server's StartTime worked without a change.
    assert run.watch.uptime and run.watch.uptime[0].source == "opcua StartTime"
    assert not run.watch.reboot_detected


def test_opcua_secure(lab: Lab) -> None:
    device = lab.device(OpcuaDevice, "good")
    mark = device.mark()
    run = probe(device.target(), options(Category.AUTH))
    no_failures(run)
    assert findings(run, "opcua.endpoints")["none-mode"] is Verdict.PASS
    assert device.ledger.of("auth", mark) == []  # no anonymous endpoint: nothing to try


# --- SNMP --------------------------------------------------------------------------------


def test_snmp_public_community(lab: Lab, snmpd: str) -> None:
    device = lab.device(SnmpDevice, "bad", binary=snmpd)
    run = probe(device.target())
    community = record(run, "snmp.v1v2c_public")
    assert community.verdict is Verdict.FAIL
    assert community.fields["sysDescr"] == SYS_DESCR
    assert record(run, "snmp.v3_discovery").fields["enterprise"] == 8072  # net-snmp's IANA number


def test_snmp_v3_only(lab: Lab, snmpd: str) -> None:
    device = lab.device(SnmpDevice, "good", binary=snmpd)
    run = probe(device.target())
    no_failures(run)
    assert record(run, "snmp.v1v2c_public").verdict is Verdict.PASS
    assert run.watch.uptime[0].source == "snmp engine"


def test_snmp_ignoring_public_is_not_proof_that_v2c_is_off(lab: Lab, snmpd: str) -> None:
    device = lab.device(SnmpDevice, "private", binary=snmpd)
    mark = device.mark()
    run = probe(device.target())
    community = record(run, "snmp.v1v2c_public")
    # The agent speaks v2c (with another community) yet looks exactly like the v3-only one.
    assert community.verdict is Verdict.PASS
    snmp_finding = next(f for f in community.findings if f.key == "snmp")
    assert snmp_finding.conclusive is False and "another community" in snmp_finding.rationale
    sent = device.ledger.of("datagram", mark)
    assert {e.get("community") for e in sent if e.get("version") in ("v1", "v2c")} == {"public"}
    assert {e.get("version") for e in sent} == {"v1", "v2c", "v3"}  # one of each, nothing else


def test_results_round_trip_as_json(lab: Lab) -> None:
    device = lab.device(LegacyDevice, "good")
    run = probe(device.target())
    document = json.loads(probe_result_json(run))
    assert next(iter(document)) == "otvet_probe"
    assert document["checks"][0]["check_id"] == "tcp.inventory"
