"""``load.connection_burst``: a short burst of connections, while the watch looks on (intrusive).

SBD-08.05 asks that a product stay stable during security scans. Ordinary scanners connect
far faster than the probe's default pace; this check opens ``--burst`` connections (default
10, at most 20) at ``--burst-rate`` per second (default 5, at most 10) to the heartbeat port,
each a complete handshake and a normal close, one at a time. The robustness watch decides
whether the device stayed well. It can stop a fragile device: lab only.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe import heartbeat
from otvet.probe.interface import CheckBase, CheckContext, CheckOutcome, finding, outcome
from otvet.probe.net import TcpConn

MAX_BURST = 20
MAX_RATE = 10.0


def _port(target: ProbeTarget) -> PortSpec | None:
    beat = heartbeat.choose(target)
    if beat is not None and beat.port.transport is Transport.TCP:
        return beat.port
    return next((p for p in target.ports if p.transport is Transport.TCP and p.source == "user"), None)


class LoadBurst(CheckBase):
    """Connect-and-close, quickly, a few times."""

    id: ClassVar[str] = "load.connection_burst"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Stable under a burst of connections"
    category: ClassVar[Category] = Category.INTRUSIVE
    criteria: ClassVar[tuple[str, ...]] = ("SBD-08.05",)
    sends: ClassVar[str] = (
        "{burst} TCP connections (handshake, then FIN, no data) to the heartbeat port at {rate:g} per second, one at a time."
    )
    budget_note: ClassVar[str] = "--burst connections (at most 20), gap 1/--burst-rate (at most 10/s)"
    connect_only: ClassVar[bool] = True

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        n = min(options.load.connections, MAX_BURST)
        rate = min(max(options.load.rate_per_s, 0.1), MAX_RATE)
        return Budget(
            max_connections=n,
            max_packets=0,
            timeout_s=n * (1 / rate + options.pacing.connect_timeout_s) + 10,
            min_gap_s=1 / rate,
        )

    def requirement(self, target: ProbeTarget, options: ProbeOptions) -> str | None:
        return None if _port(target) else "needs a declared TCP port"

    def allowed_ports(
        self, ctx_port: PortSpec | None, target: ProbeTarget
    ) -> tuple[tuple[Transport, int], ...]:
        port = _port(target)
        return ((Transport.TCP, port.port),) if port else ()

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        port = _port(ctx.target)
        assert port is not None  # noqa: S101
        n = min(ctx.options.load.connections, MAX_BURST)
        accepted = refused = silent = 0
        for _ in range(n):
            try:
                conn = await TcpConn.open(port.port, timeout=ctx.options.pacing.connect_timeout_s)
            except ConnectionRefusedError:
                refused += 1
                continue
            except (TimeoutError, OSError):
                silent += 1
                continue
            accepted += 1
            await conn.close()
        text = (
            f"{n} connections to {port.label}: {accepted} accepted, {refused} refused, {silent} unanswered."
        )
        verdict = Verdict.PASS if accepted == n else Verdict.WARN
        return outcome(
            finding(
                "burst",
                verdict,
                text + " Stability is judged by the robustness watch.",
                self.criteria,
                conclusive=False,
            ),
            accepted=accepted,
            refused=refused,
            unanswered=silent,
            port=port.label,
        )
