"""``tcp.banner``: a passive look at open ports nobody declared.

A port the inventory found open but the user did not declare gets no request at all: the
probe connects, reads whatever the device volunteers for a few seconds, and closes. Only
valid requests of a declared protocol are ever sent to a port.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.checks.tcp_inventory import inventory_ports
from otvet.probe.interface import CheckBase, CheckContext, CheckOutcome, finding, outcome
from otvet.probe.net import TcpConn
from otvet.probe.wire import telnet

MAX_BANNERS = 8


def _guess(data: bytes) -> str | None:
    if data.startswith(b"SSH-1."):
        return "SSH protocol 1"
    if data.startswith(b"SSH-"):
        return "SSH"
    if data[:1] == bytes([telnet.IAC]):
        return "Telnet"
    if data[:4] in (b"220 ", b"220-"):
        return "FTP or SMTP"
    if data.startswith(b"RFB "):
        return "VNC"
    return None


class TcpBanner(CheckBase):
    """Passive banner read on open, undeclared ports."""

    id: ClassVar[str] = "tcp.banner"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Passive banner of open ports that were not declared"
    category: ClassVar[Category] = Category.SAFE
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04",)
    sends: ClassVar[str] = (
        "Nothing: one TCP connection to each open port the inventory found that has no declared "
        f"protocol (at most {MAX_BANNERS}), a passive read of what the device sends, then FIN."
    )
    budget_note: ClassVar[str] = f"at most {MAX_BANNERS} connections"
    connect_only: ClassVar[bool] = True

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=MAX_BANNERS,
            max_packets=0,
            timeout_s=MAX_BANNERS * (p.min_gap_s + p.connect_timeout_s + p.read_timeout_s) + 10,
        )

    def allowed_ports(
        self, ctx_port: PortSpec | None, target: ProbeTarget
    ) -> tuple[tuple[Transport, int], ...]:
        return tuple((Transport.TCP, p) for p in inventory_ports(target))

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        if "inventory.open" not in ctx.facts:
            return outcome(
                finding(
                    "banner",
                    Verdict.INDETERMINATE,
                    "The inventory did not run, so no open ports are known.",
                    (),
                )
            )
        declared = {p.port for p in ctx.target.ports if p.transport is Transport.TCP}
        unknown = [p for p in ctx.facts["inventory.open"] if p not in declared][:MAX_BANNERS]
        if not unknown:
            return outcome(finding("banner", Verdict.PASS, "No open port without a declared protocol.", ()))
        banners: dict[str, str] = {}
        legacy: list[str] = []
        for port in unknown:
            try:
                conn = await TcpConn.open(port, timeout=ctx.options.pacing.connect_timeout_s)
            except (ConnectionRefusedError, TimeoutError, OSError):
                banners[f"tcp/{port}"] = "(no longer accepts connections)"
                continue
            data = await conn.read_quiet(ctx.timeout, limit=4096)
            await conn.close()
            text, _ = telnet.split(data)
            guess = _guess(data)
            banners[f"tcp/{port}"] = (f"[{guess}] " if guess else "") + (
                telnet.printable(text, 200) or "(silent)"
            )
            if guess in ("Telnet", "SSH protocol 1"):
                legacy.append(f"tcp/{port} ({guess})")
        if legacy:
            return outcome(
                finding(
                    "legacy-banner",
                    Verdict.WARN,
                    f"Undeclared ports announce legacy services: {', '.join(legacy)}.",
                    self.criteria,
                ),
                banners=banners,
            )
        return outcome(
            finding(
                "banner", Verdict.PASS, f"Recorded what {len(banners)} undeclared open port(s) volunteer.", ()
            ),
            banners=banners,
        )
