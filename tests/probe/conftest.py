"""Fixtures of the probe tests: the range (started once per session, devices on first use)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest

from otvet.model.probe import Category, Pacing, ProbeOptions, ProbeRun, ProbeTarget, WatchPolicy
from otvet.probe import engine
from otvet.probe.credentials import load as load_credentials
from tests.probe.range.base import RangeLoop
from tests.probe.range.device import Device

D = TypeVar("D", bound=Device)

# One address per simulated device, 127.0.N.1 (ports are always picked by the kernel).
ADDRESSES = {
    ("legacy", "bad"): "127.0.71.1",
    ("legacy", "good"): "127.0.72.1",
    ("legacy", "lockout"): "127.0.73.1",
    ("tls", "legacy"): "127.0.74.1",
    ("tls", "expired"): "127.0.75.1",
    ("tls", "good"): "127.0.76.1",
    ("ssh", "bad"): "127.0.77.1",
    ("ssh", "good"): "127.0.78.1",
    ("modbus", "bad"): "127.0.79.1",
    ("modbus", "good"): "127.0.80.1",
    ("opcua", "bad"): "127.0.81.1",
    ("opcua", "good"): "127.0.82.1",
    ("snmp", "bad"): "127.0.83.1",
    ("snmp", "good"): "127.0.84.1",
    ("fragile", "fragile"): "127.0.85.1",
    ("fragile", "quick"): "127.0.89.1",
    ("composite", "bad"): "127.0.86.1",
    ("composite", "good"): "127.0.87.1",
    ("echo", "echo"): "127.0.88.1",
    ("snmp", "private"): "127.0.90.1",
}

FAST = Pacing(min_gap_s=0.05, max_packets_per_s=200.0, connect_timeout_s=3.0, read_timeout_s=3.0)
"""Quick pacing for tests that are not about pacing (load slows only the probe, never breaks it)."""
QUIET_WATCH = WatchPolicy(interval_s=120.0, baseline_beats=1, beat_timeout_s=5.0, retry_after_s=0.5)


def options(
    *categories: Category, pacing: Pacing = FAST, watch: WatchPolicy = QUIET_WATCH, **changes: Any
) -> ProbeOptions:
    """Probe options for tests: fast pacing, heartbeats only between checks."""
    base = ProbeOptions(categories=frozenset({Category.SAFE, *categories}), pacing=pacing, watch=watch)
    if "auth" not in changes:
        changes["auth"] = replace(base.auth, gap_s=0.05)
    return replace(base, **changes)


def probe(target: ProbeTarget, opts: ProbeOptions | None = None, **kwargs: Any) -> ProbeRun:
    """Run the real probe against a range device."""
    kwargs.setdefault("credentials", load_credentials(None))
    return engine.run(target, opts or options(), **kwargs)


class Lab:
    """Starts simulated devices on first use and keeps them for the session."""

    def __init__(self, loop: RangeLoop, workdir: Path) -> None:
        self.loop = loop
        self.workdir = workdir
        self._devices: dict[tuple[str, str], Device] = {}

    def device(self, cls: type[D], variant: str, **kwargs: Any) -> D:
        key = (cls.kind, variant)
        if key not in self._devices:
            device = cls(ADDRESSES[key], variant, **kwargs)
            device.workdir = self.workdir / f"{cls.kind}-{variant}"
            self.loop.call(device.start())
            self._devices[key] = device
        found = self._devices[key]
        assert isinstance(found, cls)
        return found

    def stop(self) -> None:
        for device in self._devices.values():
            with contextlib.suppress(Exception):  # best effort at teardown
                self.loop.call(device.stop(), timeout=10)


@pytest.fixture(scope="session")
def range_loop() -> Iterator[RangeLoop]:
    loop = RangeLoop()
    yield loop
    loop.stop()


@pytest.fixture(scope="session")
def lab(range_loop: RangeLoop, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    found = Lab(range_loop, tmp_path_factory.mktemp("probe-range"))
    yield found
    found.stop()


@pytest.fixture(scope="session")
def snmpd() -> str:
    """Path of Debian's snmpd (installed by scripts/system-deps.sh)."""
    path = shutil.which("snmpd") or ("/usr/sbin/snmpd" if Path("/usr/sbin/snmpd").exists() else None)
    if path is None:
        message = "snmpd not installed (scripts/system-deps.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def verdicts(run: ProbeRun) -> dict[str, str]:
    """check id -> verdict (the last record of each id)."""
    return {r.check_id: r.verdict.value for r in run.checks}


def record(run: ProbeRun, check_id: str) -> Any:
    """The (first) record of a check."""
    for found in run.checks:
        if found.check_id == check_id:
            return found
    raise AssertionError(f"{check_id} did not run; ran: {[r.check_id for r in run.checks]}")


Factory = Callable[..., Device]
