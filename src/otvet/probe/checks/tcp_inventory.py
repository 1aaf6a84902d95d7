"""``tcp.inventory``: which TCP ports accept connections, compared with the vendor's documented ports.

The guide asks that a product expose only the services it needs and document each of them
(SBD-06.07). Each listed port gets one TCP connection: the kernel's handshake (SYN, SYN-ACK,
ACK), then an immediate normal close (FIN). No data is sent, no SYN-only ("half-open")
scanning is done: a device sees ordinary, complete connections, one at a time.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import CheckBase, CheckContext, CheckOutcome, finding, outcome
from otvet.probe.net import TcpConn
from otvet.probe.ports import INVENTORY, service_of

MAX_PORTS = 256


def inventory_ports(target: ProbeTarget) -> tuple[int, ...]:
    """The ports the inventory connects to: the given list (or the default one) plus declared TCP ports."""
    listed = (
        target.inventory_ports if target.inventory_ports is not None else tuple(k.port for k in INVENTORY)
    )
    declared = tuple(p.port for p in target.ports if p.transport is Transport.TCP)
    return tuple(sorted(set(listed) | set(declared)))[:MAX_PORTS]


class TcpInventory(CheckBase):
    """Connect-only TCP inventory and its diff against the documented ports."""

    id: ClassVar[str] = "tcp.inventory"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "TCP port inventory against the documented ports"
    category: ClassVar[Category] = Category.SAFE
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.07",)
    sends: ClassVar[str] = (
        "One TCP connection to each port of the inventory list (TCP handshake, then FIN); no data."
    )
    budget_note: ClassVar[str] = (
        "1 connection per listed port (default list: 32 OT/IT ports, plus the declared TCP ports)"
    )
    connect_only: ClassVar[bool] = True

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        n = len(inventory_ports(target))
        pacing = options.pacing
        return Budget(
            max_connections=n, max_packets=0, timeout_s=n * (pacing.min_gap_s + pacing.connect_timeout_s) + 10
        )

    def allowed_ports(
        self, ctx_port: PortSpec | None, target: ProbeTarget
    ) -> tuple[tuple[Transport, int], ...]:
        return tuple((Transport.TCP, p) for p in inventory_ports(target))

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        opened: list[int] = []
        refused: list[int] = []
        silent: list[int] = []
        for port in inventory_ports(ctx.target):
            try:
                conn = await TcpConn.open(port, timeout=ctx.options.pacing.connect_timeout_s)
            except ConnectionRefusedError:
                refused.append(port)
                continue
            except (TimeoutError, OSError):
                silent.append(port)
                continue
            opened.append(port)
            await conn.close()
        ctx.facts["inventory.open"] = tuple(opened)
        fields = {
            "open": [f"tcp/{p}" + (f" ({service_of(p)})" if service_of(p) else "") for p in opened],
            "closed": len(refused),
            "no_answer": [f"tcp/{p}" for p in silent],
            "listed": len(opened) + len(refused) + len(silent),
        }
        if not fields["listed"]:
            return outcome(
                finding("undocumented", Verdict.INDETERMINATE, "No TCP port to try.", self.criteria), **fields
            )
        documented = ctx.target.documented_ports
        shown = ", ".join(f"tcp/{p}" for p in opened) or "none"
        if documented is None:
            return outcome(
                finding(
                    "undocumented",
                    Verdict.INDETERMINATE,
                    f"Open TCP ports: {shown}. No documented port list was given, so they could not be compared.",
                    self.criteria,
                ),
                **fields,
            )
        doc = {d.strip().lower() for d in documented}
        extra = [p for p in opened if f"tcp/{p}" not in doc]
        missing = sorted(d for d in doc if d.startswith("tcp/") and d[4:].isdigit() and int(d[4:]) in refused)
        fields["documented_but_closed"] = missing
        if extra:
            names = ", ".join(f"tcp/{p}" + (f" ({service_of(p)})" if service_of(p) else "") for p in extra)
            return outcome(
                finding(
                    "undocumented",
                    Verdict.FAIL,
                    f"Open TCP ports the vendor does not document: {names} (of {fields['listed']} ports tried).",
                    self.criteria,
                ),
                **fields,
            )
        note = f" {len(silent)} port(s) did not answer." if silent else ""
        return outcome(
            finding(
                "undocumented",
                Verdict.PASS if not silent else Verdict.INDETERMINATE,
                f"Every open TCP port ({shown}) is documented by the vendor (of {fields['listed']} ports tried).{note}",
                self.criteria,
            ),
            **fields,
        )
