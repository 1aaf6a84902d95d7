"""Budget tests against an RTU configured like the Northwind example (every bad service on one address).

The engine's own counts must stay within every check's declared budget, and the device's
ledger (kept by the accounting proxies and the simulators) must agree: every connection a
check made is matched by its client port, the bytes it received equal the bytes the check
sent, connections never overlap, the gaps hold, nothing is left half-open, and without the
opt-in flags no authentication attempt and no write reaches the device.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from otvet.model.probe import Category, LabConfirmation, Pacing, ProbeRun, Transport, Verdict
from otvet.probe.engine import expected_phrase
from tests.probe.conftest import Lab, options, probe
from tests.probe.range.composite import CompositeDevice
from tests.probe.range.device import Device
from tests.probe.range.opcuadev import OpcuaDevice

pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")

PACING = Pacing(min_gap_s=0.2, max_packets_per_s=20.0, connect_timeout_s=3.0, read_timeout_s=3.0)


@pytest.fixture(scope="module")
def rtu(lab: Lab, snmpd: str) -> CompositeDevice:
    return lab.device(CompositeDevice, "bad", snmpd=snmpd)


def _client_ports(run: ProbeRun, transport: Transport) -> dict[str, list[tuple[int, int]]]:
    """check label -> (device port, client port) of every connection or flow it opened."""
    prefix = "connected from port " if transport is Transport.TCP else "flow from port "
    out: dict[str, list[tuple[int, int]]] = {}
    for record in run.checks:
        out[record.label] = [
            (e.port, int(e.note[len(prefix) :]))
            for e in record.exchanges
            if e.transport is transport and e.note and e.note.startswith(prefix)
        ]
    return out


def assert_within_budgets(run: ProbeRun, device: Device, mark: float) -> None:
    # The engine's count, against what each check declared before it ran.
    for record in run.checks:
        used, budget = record.used, record.budget
        assert used.connections <= budget.max_connections, record.label
        assert used.packets_sent <= budget.max_packets, record.label
        assert used.max_concurrency <= 1, record.label
        assert used.left_open == 0, record.label
        if used.min_gap_s is not None:
            assert used.min_gap_s >= PACING.min_gap_s, record.label
        assert record.verdict is not Verdict.ERROR, f"{record.label}: {record.rationale}"
    # The device's count: every TCP connection of a check, by its client port.
    expected = sum(len(v) for v in _client_ports(run, Transport.TCP).values())
    device.ledger.settle(mark, expect=expected)
    seen = {(c.port, c.peer[1]): c for c in device.ledger.conns(mark)}
    for record in run.checks:
        mine = [seen.pop(key) for key in _client_ports(run, Transport.TCP)[record.label] if key in seen]
        assert len(mine) <= record.budget.max_connections, record.label
        sent = sum(e.size for e in record.exchanges if e.direction == "sent" and e.transport is Transport.TCP)
        assert sum(c.bytes_in for c in mine) == sent, record.label
    # What is left is the watch's (heartbeats, port checks).
    assert len(seen) <= run.watch.used.connections
    assert device.ledger.max_concurrency(mark) == 1
    assert device.ledger.half_open(mark) == []
    assert all(c.end == "eof" for c in device.ledger.conns(mark))
    assert min(device.ledger.gaps(mark)) >= PACING.min_gap_s / 2  # scheduling noise of two threads
    # UDP: every datagram the device got came from a flow a check (or the watch) declared.
    flows = {port for ports in _client_ports(run, Transport.UDP).values() for _, port in ports}
    datagrams = [
        e for e in device.ledger.of("datagram", mark) if e.get("service") != "tftp" or e.get("opcode")
    ]
    udp_sent = sum(
        1
        for r in run.checks
        for e in r.exchanges
        if e.transport is Transport.UDP and e.direction == "sent" and e.port not in device.unserved_udp
    )
    from_checks = [d for d in datagrams if d["peer"][1] in flows]
    assert len(from_checks) == udp_sent


def test_default_run_stays_within_budgets_and_never_logs_in_or_writes(rtu: CompositeDevice) -> None:
    mark = rtu.mark()
    run = probe(rtu.target(), options(pacing=PACING))
    assert {r.category for r in run.checks} == {Category.SAFE}
    assert_within_budgets(run, rtu, mark)
    assert rtu.ledger.of("auth", mark) == []
    assert rtu.ledger.of("write", mark) == []
    # Only the SNMP reads with community 'public' the safe category documents.
    communities = {
        e.get("community") for e in rtu.ledger.of("datagram", mark) if e.get("version") in ("v1", "v2c")
    }
    assert communities == {"public"}
    assert not run.watch.degraded and run.watch.lost == 0


def test_authentication_run_stays_within_budgets(rtu: CompositeDevice) -> None:
    mark = rtu.mark()
    run = probe(rtu.target(), options(Category.AUTH, pacing=PACING))
    assert_within_budgets(run, rtu, mark)
    # The opt-in did reach the device: its own log has the attempts (and no writes).
    services = {e["service"] for e in rtu.ledger.of("auth", mark)}
    assert services >= {"http", "telnet", "ftp", "ssh"}
    assert rtu.ledger.of("write", mark) == []


def test_extended_and_intrusive_run_stays_within_budgets(rtu: CompositeDevice) -> None:
    phrase = expected_phrase(rtu.address)
    lab = LabConfirmation((rtu.address,), phrase, phrase, datetime.now(UTC))
    mark = rtu.mark()
    run = probe(
        rtu.target(modbus_write_register=7),
        options(Category.AUTH, Category.EXTENDED, Category.INTRUSIVE, pacing=PACING, lab=lab),
    )
    ran = {r.check_id for r in run.checks if r.not_run is None}
    assert {"auth.lockout", "load.connection_burst", "modbus.writeback"} <= ran
    assert (
        run.options.lab is not None and run.options.lab.typed == phrase
    )  # the confirmation is in the result
    assert_within_budgets(run, rtu, mark)
    # The only write is the write-back of the value the named register already held.
    writes = rtu.ledger.of("write", mark)
    assert [(w["service"], w["address"], len(w["values"])) for w in writes] == [("modbus", 7, 1)]


def test_good_device_authentication_run_stays_within_budgets(lab: Lab, snmpd: str) -> None:
    plc = lab.device(CompositeDevice, "good", snmpd=snmpd)
    mark = plc.mark()
    run = probe(plc.target(), options(Category.AUTH, pacing=PACING))
    assert_within_budgets(run, plc, mark)
    assert [r.label for r in run.checks if r.verdict is Verdict.FAIL] == []
    assert plc.ledger.of("write", mark) == []
    assert not run.watch.degraded and run.watch.lost == 0


def test_opcua_safe_run_opens_no_session(lab: Lab) -> None:
    device = lab.device(OpcuaDevice, "bad")
    mark = device.mark()
    probe(device.target(), options(pacing=PACING))
    assert device.ledger.of("auth", mark) == []
    assert device.ledger.of("write", mark) == []
