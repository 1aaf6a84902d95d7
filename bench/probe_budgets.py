"""Benchmark: the lab probe's budgets and pacing against the test range, as the devices count them.

Runs (1) a full default run against the fragile device (real default pacing and watch) and
(2) a safe + authentication run against the Northwind-like RTU, and prints, per check, the
budget declared and what the engine and the device counted, plus the run's duration, the
heartbeat latencies and the device-side concurrency and gaps. Results go to
docs/PERFORMANCE.md ("Lab probe budgets"). Run from the repository root:

    .venv/bin/python -m bench.probe_budgets
"""

from __future__ import annotations

import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from cryptography.utils import CryptographyDeprecationWarning
from tests.probe.range.base import Ledger, RangeLoop
from tests.probe.range.composite import CompositeDevice
from tests.probe.range.fragile import FragileDevice

from otvet.model.probe import Category, ProbeOptions, ProbeRun
from otvet.probe import credentials, engine


def table(run: ProbeRun) -> list[str]:
    lines = [
        "| Check | Budget conn / msg / s | Used conn / msg | Smallest gap | Elapsed |",
        "|---|---|---|---|---|",
    ]
    for r in run.checks:
        b, u = r.budget, r.used
        gap = "-" if u.min_gap_s is None else f"{u.min_gap_s:.3f} s"
        lines.append(
            f"| {r.label} | {b.max_connections} / {b.max_packets} / {b.timeout_s:.0f} | {u.connections} / {u.packets_sent} | {gap} | {u.elapsed_s:.2f} s |"
        )
    return lines


def summary(name: str, run: ProbeRun, ledger: Ledger, mark: float, seconds: float) -> list[str]:
    ledger.settle(mark)
    latencies = [s.latency_ms for s in run.watch.samples if s.latency_ms is not None]
    gaps = ledger.gaps(mark)
    return [
        f"**{name}**: {len(run.checks)} check runs in {seconds:.1f} s; "
        f"{sum(r.used.connections for r in run.checks)} check connections/flows + {run.watch.used.connections} for the watch; "
        f"{sum(r.used.packets_sent for r in run.checks)} messages sent by checks.",
        f"Device side: {len(ledger.conns(mark))} TCP connections, at most {ledger.max_concurrency(mark)} at once, "
        f"smallest gap {min(gaps):.3f} s (median {statistics.median(gaps):.3f} s), {len(ledger.half_open(mark))} half-open at the end.",
        f"Watch: {run.watch.beats} heartbeats, {run.watch.lost} lost, baseline {run.watch.baseline_latency_ms} ms, "
        f"median {statistics.median(latencies):.2f} ms, max {max(latencies):.2f} ms; verdict {run.watch.verdict.value}.",
    ]


def main() -> int:
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    loop = RangeLoop()
    out: list[str] = [
        f"Machine: {platform.node()}, {platform.machine()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}",
        "",
    ]
    try:
        with tempfile.TemporaryDirectory() as work:
            fragile = FragileDevice("127.0.90.1", "fragile")
            loop.call(fragile.start())
            mark = fragile.mark()
            start = time.monotonic()
            run = engine.run(
                fragile.target(inventory_ports=None, default_ports=True, documented_ports=None),
                ProbeOptions(),
            )
            seconds = time.monotonic() - start
            out += summary("Full default run against the fragile device", run, fragile.ledger, mark, seconds)
            out += [
                f"Fragile device crashes: {len(fragile.crashes)}; sessions refused: {len(fragile.ledger.of('session-refused', mark))}.",
                "",
            ]
            out += [*table(run), ""]
            loop.call(fragile.stop())
            rtu = CompositeDevice("127.0.90.2", "bad", snmpd=shutil.which("snmpd") or "/usr/sbin/snmpd")
            rtu.workdir = Path(work)
            loop.call(rtu.start())
            mark = rtu.mark()
            start = time.monotonic()
            run = engine.run(
                rtu.target(),
                ProbeOptions(categories=frozenset({Category.SAFE, Category.AUTH})),
                credentials=credentials.load(None),
            )
            seconds = time.monotonic() - start
            out += summary(
                "Safe + authentication run (default pacing, 10 s between logins) against the Northwind-like RTU",
                run,
                rtu.ledger,
                mark,
                seconds,
            )
            out += ["", *table(run)]
            loop.call(rtu.stop())
    finally:
        loop.stop()
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
