"""The fragile device survives a full default run; a burst trips it and the watch says when.

The fragile device keeps 2 sessions, never frees a reset one, and goes silent (uptime reset)
after 5 connections within a second or a malformed frame (see ``range/fragile.py``). These
runs use the probe's real defaults: pacing, heartbeat interval, baseline.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterator
from typing import Any

import pytest

from otvet.model.probe import HeartbeatSample, PlannedCheck, ProbeOptions, Verdict
from tests.probe.conftest import Lab, probe
from tests.probe.range.fragile import FragileDevice


def _ready(device: FragileDevice) -> FragileDevice:
    deadline = time.monotonic() + 30
    while device.down and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.2)  # let the device's one-second connection window empty
    device.reset()
    return device


@pytest.fixture
def fragile(lab: Lab) -> Iterator[FragileDevice]:
    yield _ready(lab.device(FragileDevice, "fragile"))


class _Trigger:
    """An observer that does something to the device when a given check starts."""

    def __init__(self, check_id: str, action: Any) -> None:
        self.check_id = check_id
        self.action = action
        self.fired_during: str | None = None

    def check_started(self, planned: PlannedCheck, index: int, total: int) -> None:
        if planned.check_id == self.check_id and self.fired_during is None:
            self.fired_during = planned.label
            self.action()

    def check_finished(self, record: Any) -> None:
        return None

    def heartbeat(self, sample: HeartbeatSample) -> None:
        return None

    def note(self, text: str) -> None:
        return None


def test_fragile_device_survives_a_full_default_run(fragile: FragileDevice) -> None:
    mark = fragile.mark()
    target = fragile.target(inventory_ports=None, default_ports=True)
    run = probe(target, ProbeOptions())  # the real defaults: 0.5 s gap, 10 msg/s, watch every 5 s
    assert run.stopped is None
    assert fragile.crashes == []
    assert run.watch.verdict is Verdict.PASS and not run.watch.degraded
    assert run.watch.lost == 0  # the heartbeat was never lost
    assert run.watch.beats >= len(run.checks)
    assert run.watch.uptime and run.watch.uptime[0].source == "snmp sysUpTime"
    fragile.ledger.settle(mark)
    assert fragile.ledger.of("session-refused", mark) == []
    assert fragile.ledger.half_open(mark) == []
    assert fragile.ledger.max_concurrency(mark) == 1
    assert fragile.leaked == set()
    for record in run.checks:
        assert record.used.connections <= record.budget.max_connections, record.label
        assert record.used.packets_sent <= record.budget.max_packets, record.label
    assert record_of(run, "tcp.inventory").used.connections == 33  # the OT/IT list plus the Modbus port


def record_of(run: Any, check_id: str) -> Any:
    return next(r for r in run.checks if r.check_id == check_id)


def test_a_burst_trips_it_and_the_watch_names_the_running_check(fragile: FragileDevice) -> None:
    port = fragile.ports["modbus"][0]

    def burst() -> None:
        for _ in range(8):
            try:
                with socket.create_connection((fragile.address, port), timeout=2):
                    pass
            except OSError:
                break

    trigger = _Trigger("modbus.identify", burst)
    target = fragile.target()
    run = probe(target, ProbeOptions(only=("modbus.identify", "modbus.read")), observer=trigger)
    assert fragile.crashes == ["5 connections within 1 s"]
    assert run.watch.degraded and run.watch.outage is not None
    assert run.watch.outage.kind == "heartbeat_lost"
    assert run.watch.outage.during_check == trigger.fired_during
    assert trigger.fired_during is not None and trigger.fired_during in (run.stopped or "")
    after = [r for r in run.checks if r.not_run]
    assert [r.check_id for r in after] == ["modbus.read"]


def test_a_restart_is_seen_through_the_uptime(lab: Lab) -> None:
    quick = _ready(lab.device(FragileDevice, "quick", down_s=0.3))
    port = quick.ports["modbus"][0]

    def malformed() -> None:
        with socket.create_connection((quick.address, port), timeout=2) as s:
            s.sendall(struct.pack(">HHHB", 1, 7, 2, 1) + b"\x03")  # protocol id 7: not Modbus
        time.sleep(1.0)  # the device is back before the probe's next heartbeat

    trigger = _Trigger("modbus.read", malformed)
    run = probe(
        quick.target(),
        ProbeOptions(only=("snmp.v1v2c_public", "modbus.identify", "modbus.read")),
        observer=trigger,
    )
    assert quick.crashes == ["malformed Modbus frame"]
    assert run.watch.reboot_detected
    assert run.watch.outage is not None and run.watch.outage.kind == "reboot"
    assert run.watch.outage.during_check == trigger.fired_during
