"""The robustness watch: is the device still well while it is being probed?

Before the first check the watch takes a baseline (the open declared TCP ports, a few
heartbeats for a latency baseline, an uptime reading). During the run it takes a heartbeat
after every check and at least every ``interval_s`` while a long check runs, and reads the
device's uptime with each heartbeat when it can. The device is **degraded** when

- ``lost_after`` consecutive heartbeats fail (``heartbeat_lost``),
- ``slow_after`` consecutive heartbeats are slower than
  ``max(slow_factor * baseline, baseline + slow_floor_s)`` (``slow``),
- its uptime went backwards or its SNMP engine boot counter went up (``reboot``),
- a port that was open at the baseline no longer accepts connections (``port_set``, checked
  when heartbeats fail and at the end).

Degradation stops the run; the report says which check was running. The watch uses the
same guarded loop and pacing as the checks (one connection at a time), under its own meter.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import statistics
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from otvet.model.probe import (
    Budget,
    Category,
    HeartbeatSample,
    Outage,
    PlannedCheck,
    ProbeObserver,
    ProbeOptions,
    ProbeTarget,
    RobustnessReport,
    Transport,
    UptimeSample,
    Verdict,
)
from otvet.probe import heartbeat as hb
from otvet.probe.net import CURRENT, Meter

T = TypeVar("T")

WATCH_ID = "robustness.watch"
SYSUPTIME_WRAP = 2**32
ENGINE_TIME_SLACK_S = 2


class Watch:
    """Heartbeats, latency baseline, reboot detection and port-set comparison for one run."""

    def __init__(
        self,
        target: ProbeTarget,
        options: ProbeOptions,
        plan: tuple[PlannedCheck, ...],
        observer: ProbeObserver,
        clock: Callable[[], datetime],
        *,
        opcua_start_time: Callable[[int], Coroutine[Any, Any, str | None]] | None = None,
    ) -> None:
        self.target = target
        self.options = options
        self.policy = options.watch
        self.observer = observer
        self.clock = clock
        self.started = time.monotonic()
        self.heartbeat = hb.choose(target) if self.policy.enabled else None
        running = {p.check_id for p in plan if p.runs}
        snmp_ports = [p for p in target.ports if p.protocol == "snmp" and p.source == "user"]
        self.snmp_port = snmp_ports[0].port if snmp_ports else None
        self.may_use_engine = self.snmp_port is not None and "snmp.v3_discovery" in running
        self.may_use_community = self.snmp_port is not None and "snmp.v1v2c_public" in running
        opcua_ports = [p for p in target.ports if p.protocol == "opcua" and p.source == "user"]
        self.opcua_port = (
            opcua_ports[0].port
            if opcua_ports and Category.AUTH in options.categories and "opcua.anonymous" in running
            else None
        )
        self._opcua_start_time = opcua_start_time
        allowed = {(p.transport, p.port) for p in target.ports if p.source == "user"}
        if self.heartbeat is not None:
            allowed.add((self.heartbeat.port.transport, self.heartbeat.port.port))
        self.meter = Meter(
            WATCH_ID,
            Budget(max_connections=1_000_000, max_packets=1_000_000, timeout_s=math.inf),
            allowed,
        )
        self.context = contextvars.copy_context()
        self.context.run(CURRENT.set, self.meter)
        self.samples: list[HeartbeatSample] = []
        self.uptime: list[UptimeSample] = []
        self.uptime_source: str | None = None
        self.baseline_s: float | None = None
        self.ports_before: tuple[str, ...] = ()
        self.ports_after: tuple[str, ...] | None = None
        self.degraded = False
        self.outage: Outage | None = None
        self.reboot = False
        self.unavailable: str | None = None
        """Set when the baseline failed: the device did not answer at all."""
        self._fails = 0
        self._slow = 0
        self._lock = asyncio.Lock()
        self._last_ok: float | None = None

    # -- plumbing ----------------------------------------------------------------------

    async def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run watch I/O under the watch's own meter."""
        return await asyncio.create_task(coro, context=self.context)

    def _t(self) -> float:
        return round(time.monotonic() - self.started, 3)

    @property
    def active(self) -> bool:
        """Whether heartbeats are taken at all."""
        return self.heartbeat is not None and self.unavailable is None

    # -- baseline ----------------------------------------------------------------------

    async def start(self) -> None:
        """Port set, latency baseline and first uptime reading, before any check."""
        if self.heartbeat is None:
            if self.policy.enabled:
                self.observer.note("robustness watch: no port to take a heartbeat on; watch disabled")
            return
        self.ports_before = await self._open_ports()
        if (
            self.heartbeat.port.transport is Transport.TCP
            and self.heartbeat.port.label not in self.ports_before
        ):
            better = hb.choose(self.target, self.ports_before)
            if better is not None:
                self.heartbeat = better
        latencies = []
        for _ in range(max(1, self.policy.baseline_beats)):
            sample = await self._attempt(None)
            if sample.ok and sample.latency_ms is not None:
                latencies.append(sample.latency_ms / 1000)
        if not latencies and self.heartbeat.kind != "tcp" and self.heartbeat.port.transport is Transport.TCP:
            # The protocol read failed but the port may still accept connections: fall back
            # to connect-only heartbeats rather than refuse to watch.
            self.observer.note(
                f"robustness watch: {self.heartbeat.kind} heartbeat failed; using connect-only"
            )
            self.heartbeat = hb.Heartbeat("tcp", self.heartbeat.port)
            for _ in range(max(1, self.policy.baseline_beats)):
                sample = await self._attempt(None)
                if sample.ok and sample.latency_ms is not None:
                    latencies.append(sample.latency_ms / 1000)
        if not latencies:
            self.unavailable = "the device did not answer the baseline heartbeats"
            return
        self.baseline_s = statistics.median(latencies)
        await self._read_uptime()
        self.observer.note(
            f"robustness watch: baseline {self.baseline_s * 1000:.1f} ms over {len(latencies)} heartbeat(s)"
            + (f", uptime from {self.uptime_source}" if self.uptime_source else "")
        )

    async def _open_ports(self) -> tuple[str, ...]:
        found = []
        for spec in self.target.ports:
            if spec.source != "user" or spec.transport is not Transport.TCP:
                continue
            state = await self._run(hb.port_open(spec.port, self.options.pacing.connect_timeout_s))
            if state:
                found.append(spec.label)
        return tuple(found)

    # -- heartbeats ----------------------------------------------------------------------

    async def _attempt(self, during: str | None) -> HeartbeatSample:
        assert self.heartbeat is not None  # noqa: S101
        beat = await self._run(
            hb.beat(
                self.heartbeat,
                self.target,
                connect_timeout=self.policy.beat_timeout_s,
                timeout=self.policy.beat_timeout_s,
            )
        )
        sample = HeartbeatSample(
            t_s=self._t(),
            ok=beat.ok,
            latency_ms=None if beat.latency_s is None else round(beat.latency_s * 1000, 3),
            during=during,
            error=beat.error,
        )
        self.samples.append(sample)
        self.observer.heartbeat(sample)
        return sample

    async def beat(self, during: str | None) -> None:
        """One heartbeat (with retries on failure) and an uptime reading; may mark degradation."""
        if not self.active or self.degraded:
            return
        async with self._lock:
            sample = await self._attempt(during)
            while not sample.ok:
                self._fails += 1
                if self._fails >= self.policy.lost_after:
                    closed = await self._closed_ports()
                    extra = f"; ports no longer open: {', '.join(closed)}" if closed else ""
                    self._degrade(
                        "heartbeat_lost",
                        f"{self._fails} consecutive heartbeats failed ({sample.error}){extra}",
                        during,
                    )
                    return
                await asyncio.sleep(self.policy.retry_after_s)
                sample = await self._attempt(during)
            self._fails = 0
            self._last_ok = sample.t_s
            if self._is_slow(sample):
                self._slow += 1
                if self._slow >= self.policy.slow_after:
                    self._degrade(
                        "slow",
                        f"{self._slow} consecutive heartbeats slower than {self._threshold_s() * 1000:.0f} ms "
                        f"(baseline {self.baseline_s * 1000 if self.baseline_s else 0:.1f} ms)",
                        during,
                    )
                    return
            else:
                self._slow = 0
            await self._read_uptime(during)

    def _threshold_s(self) -> float:
        base = self.baseline_s or 0.0
        return max(self.policy.slow_factor * base, base + self.policy.slow_floor_s)

    def _is_slow(self, sample: HeartbeatSample) -> bool:
        return sample.latency_ms is not None and sample.latency_ms / 1000 > self._threshold_s()

    async def _closed_ports(self) -> list[str]:
        now_open = set(await self._open_ports())
        return [p for p in self.ports_before if p not in now_open]

    def _degrade(self, kind: str, reason: str, during: str | None) -> None:
        self.degraded = True
        self.outage = Outage(
            kind=kind,
            reason=reason,
            detected_at=self.clock(),
            during_check=during,
            last_ok_t_s=self._last_ok,
        )
        where = f" during {during}" if during else ""
        self.observer.note(f"robustness watch: device degraded{where}: {reason}; stopping the probe")

    async def during(self, label: str, task: asyncio.Task[Any]) -> None:
        """Heartbeats every ``interval_s`` while ``task`` runs; cancels it when the device degrades."""
        if not self.active:
            return
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=self.policy.interval_s)
            if done:
                return
            await self.beat(label)
            if self.degraded:
                task.cancel()
                return

    # -- uptime ----------------------------------------------------------------------------

    async def _read_uptime(self, during: str | None = None) -> None:
        timeout = self.policy.beat_timeout_s
        if self.may_use_engine and self.uptime_source in (None, "snmp engine") and self.snmp_port:
            reading = await self._run(hb.engine_reading(self.snmp_port, timeout))
            if reading is not None:
                boots, seconds, _ = reading
                self._uptime("snmp engine", f"{boots}/{seconds}", during)
                return
        if self.may_use_community and self.uptime_source in (None, "snmp sysUpTime") and self.snmp_port:
            ticks = await self._run(hb.sysuptime_reading(self.snmp_port, timeout))
            if ticks is not None:
                self._uptime("snmp sysUpTime", str(ticks), during)
                return
        # An OPC UA session is heavier than a heartbeat: only at the baseline and at the end.
        if (
            self.opcua_port
            and self._opcua_start_time
            and self.uptime_source in (None, "opcua StartTime")
            and during in (None, "end")
        ):
            started = await self._run(self._opcua_start_time(self.opcua_port))
            if started:
                self._uptime("opcua StartTime", started, during)

    def _uptime(self, source: str, value: str, during: str | None) -> None:
        previous = next((u for u in reversed(self.uptime) if u.source == source), None)
        self.uptime_source = source
        self.uptime.append(UptimeSample(t_s=self._t(), source=source, value=value))
        if previous is None or self.degraded:
            return
        rebooted = False
        if source == "snmp sysUpTime":
            old, new = int(previous.value), int(value)
            rebooted = new < old < SYSUPTIME_WRAP - 360_000
        elif source == "snmp engine":
            old_boots, old_time = (int(x) for x in previous.value.split("/"))
            new_boots, new_time = (int(x) for x in value.split("/"))
            rebooted = new_boots > old_boots or (
                new_boots == old_boots and new_time + ENGINE_TIME_SLACK_S < old_time
            )
        elif source == "opcua StartTime":
            rebooted = value != previous.value
        if rebooted:
            self.reboot = True
            self._degrade(
                "reboot", f"{source} went from {previous.value} to {value}: the device restarted", during
            )

    # -- end ---------------------------------------------------------------------------

    async def finish(self) -> None:
        """A last heartbeat, uptime reading and port-set comparison."""
        if not self.active:
            return
        if not self.degraded:
            await self.beat("end")
            await self._read_uptime("end")
        self.ports_after = await self._open_ports() if not self.degraded or self.outage is None else None
        if self.ports_after is not None and not self.degraded:
            lost = [p for p in self.ports_before if p not in self.ports_after]
            if lost:
                self._degrade(
                    "port_set",
                    f"ports open at the start no longer accept connections: {', '.join(lost)}",
                    "end",
                )

    def report(self) -> RobustnessReport:
        """The watch's part of the result."""
        ok = [s for s in self.samples if s.ok and s.latency_ms is not None]
        lost = sum(1 for s in self.samples if not s.ok)
        slow = sum(1 for s in self.samples if self._is_slow(s))
        if self.heartbeat is None:
            verdict, rationale = (
                Verdict.INDETERMINATE,
                "No heartbeat was possible (no declared port), so stability was not watched.",
            )
            if not self.policy.enabled:
                rationale = "The robustness watch was switched off."
        elif self.unavailable:
            verdict, rationale = Verdict.INDETERMINATE, f"The watch could not start: {self.unavailable}."
        elif self.degraded and self.outage:
            where = f" while {self.outage.during_check} ran" if self.outage.during_check else ""
            verdict, rationale = Verdict.FAIL, f"The device degraded{where}: {self.outage.reason}."
        else:
            verdict = Verdict.PASS
            rationale = (
                f"All {len(self.samples)} heartbeats answered"
                + (" (some retried)" if lost else "")
                + f"; no restart seen{' (' + self.uptime_source + ')' if self.uptime_source else ' (no uptime source)'}"
                + "; the open ports did not change."
            )
        return RobustnessReport(
            enabled=self.policy.enabled,
            heartbeat=self.heartbeat.describe(self.target) if self.heartbeat else "none",
            verdict=verdict,
            rationale=rationale,
            interval_s=self.policy.interval_s,
            baseline_latency_ms=None if self.baseline_s is None else round(self.baseline_s * 1000, 3),
            beats=len(self.samples),
            lost=lost,
            slow=slow,
            max_latency_ms=max((s.latency_ms for s in ok if s.latency_ms is not None), default=None),
            samples=tuple(self.samples),
            uptime=tuple(self.uptime),
            reboot_detected=self.reboot,
            ports_before=self.ports_before,
            ports_after=self.ports_after,
            degraded=self.degraded,
            outage=self.outage,
            used=self.meter.usage(),
        )
