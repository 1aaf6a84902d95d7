"""Planning: what runs by default, what needs flags, the lab confirmation, the dry run."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from otvet.model.probe import (
    Category,
    LabConfirmation,
    LabConfirmationError,
    PortSpec,
    ProbeOptions,
    ProbeTarget,
    Transport,
)
from otvet.probe import engine
from otvet.probe.registry import CHECKS

TARGET = ProbeTarget(
    host="192.0.2.10",
    ports=(
        PortSpec(502, Transport.TCP, "modbus"),
        PortSpec(4840, Transport.TCP, "opcua"),
        PortSpec(80, Transport.TCP, "http"),
        PortSpec(161, Transport.UDP, "snmp"),
    ),
    modbus_write_register=10,
    default_ports=True,
)


def plan(options: ProbeOptions, target: ProbeTarget = TARGET) -> dict[str, str]:
    return {p.entry.label: p.entry.reason for p in engine.plan(target, options)}


def test_only_safe_checks_run_by_default() -> None:
    lines = engine.plan(TARGET, ProbeOptions())
    for line in lines:
        if line.entry.category is Category.SAFE and line.entry.port is not None:
            assert line.entry.runs, line.entry.label
        if line.entry.category is not Category.SAFE:
            assert not line.entry.runs, line.entry.label
    reasons = plan(ProbeOptions())
    assert reasons["creds.http tcp/80"] == "needs --auth"
    assert reasons["modbus.writeback tcp/502"] == "needs --intrusive and a lab confirmation"
    assert reasons["auth.lockout tcp/80"] == "needs --auth as well (it makes login attempts)"


def test_legacy_services_are_tried_on_their_well_known_ports_unless_declared() -> None:
    reasons = plan(ProbeOptions())
    assert "telnet.service tcp/23" in reasons
    assert "tftp.service udp/69" in reasons
    assert sum(1 for label in reasons if label.startswith("http.cleartext")) == 1  # declared, not doubled
    only_declared = plan(ProbeOptions(), replace(TARGET, default_ports=False))
    assert "telnet.service tcp/23" not in only_declared
    assert only_declared["telnet.service"] == "no port declared for telnet"


def test_flags_and_lab_confirmation_unlock_categories() -> None:
    phrase = engine.expected_phrase(TARGET.host)
    lab = LabConfirmation((TARGET.host,), phrase, phrase, datetime.now(UTC))
    everything = ProbeOptions(categories=frozenset(Category), lab=lab)
    assert plan(everything)["modbus.writeback tcp/502"] == ""
    without_lab = ProbeOptions(categories=frozenset(Category))
    assert "lab confirmation" in plan(without_lab)["modbus.writeback tcp/502"]
    no_register = replace(TARGET, modbus_write_register=None)
    assert "write-register" in plan(everything, no_register)["modbus.writeback tcp/502"]


@pytest.mark.parametrize(
    ("allow", "typed", "message"),
    [
        (("192.0.2.99",), None, "not on the lab allow-list"),
        (("192.0.2.10",), "yes", "does not match"),
    ],
)
def test_bad_lab_confirmations_are_refused_before_anything_is_sent(
    allow: tuple[str, ...], typed: str | None, message: str
) -> None:
    phrase = engine.expected_phrase(TARGET.host)
    lab = LabConfirmation(allow, phrase, typed if typed is not None else phrase, datetime.now(UTC))
    options = ProbeOptions(categories=frozenset({Category.SAFE, Category.INTRUSIVE}), lab=lab)
    with pytest.raises(LabConfirmationError, match=message):
        engine.check_lab_confirmation(engine.plan(TARGET, options), TARGET, TARGET.host, options)


def test_every_check_declares_what_an_operator_approves() -> None:
    ids = [cls.id for cls in CHECKS]
    assert len(ids) == len(set(ids))
    options = ProbeOptions(categories=frozenset(Category))
    for cls in CHECKS:
        check = cls()
        budget = check.budget(TARGET, options)
        assert budget.max_connections >= 1 and budget.max_packets >= 0 and budget.timeout_s > 0, cls.id
        assert check.sends and check.title and check.version, cls.id
        assert all(c.startswith("SBD-") for c in check.criteria), cls.id
    # The hard caps do not move with the options.
    greedy = replace(
        options,
        auth=replace(options.auth, max_tries=50, lockout_attempts=50),
        load=replace(options.load, connections=99, rate_per_s=99),
    )
    by_id = {cls.id: cls() for cls in CHECKS}
    assert by_id["creds.http"].budget(TARGET, greedy).max_connections == 1 + 3
    assert by_id["auth.lockout"].budget(TARGET, greedy).max_connections == 10
    assert by_id["load.connection_burst"].budget(TARGET, greedy).max_connections == 20
    assert by_id["load.connection_burst"].budget(TARGET, greedy).min_gap_s == pytest.approx(0.1)


def test_planning_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plan touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    lines = engine.plan(TARGET, ProbeOptions(categories=frozenset(Category)))
    assert lines
