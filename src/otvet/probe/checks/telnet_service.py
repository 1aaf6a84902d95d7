"""``telnet.service``: is Telnet enabled?

Telnet carries logins and commands in clear; the guide asks that it be disabled by default
(SBD-06.04). The check connects and listens: a Telnet server opens with option negotiation
(RFC 854/855) or a banner. Nothing is sent.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import TELNET, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import telnet


class TelnetService(CheckBase):
    """Listens for Telnet negotiation on the Telnet port."""

    id: ClassVar[str] = "telnet.service"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "Telnet disabled"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (TELNET,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(23, Transport.TCP, TELNET, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04", "SBD-07.06")
    sends: ClassVar[str] = (
        "Nothing: one TCP connection to {port}, a passive read of the first bytes, then FIN."
    )
    connect_only: ClassVar[bool] = True

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=0,
            timeout_s=p.min_gap_s + p.connect_timeout_s + p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return outcome(
                finding(
                    "telnet",
                    Verdict.PASS,
                    f"Nothing listens on {where(ctx)} (connection refused): Telnet is off.",
                    ("SBD-06.04",),
                )
            )
        except TimeoutError:
            return outcome(
                finding(
                    "telnet",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer the connection attempt.",
                    ("SBD-06.04",),
                )
            )
        data = await conn.read_quiet(ctx.timeout, limit=4096)
        await conn.close()
        text, options = telnet.split(data)
        fields = {
            "banner": telnet.printable(text, 300),
            "negotiation": [
                f"{ {251: 'WILL', 252: 'WONT', 253: 'DO', 254: 'DONT'}.get(c, c) } {telnet.OPTION_NAMES.get(o, o)}"
                for c, o in options
            ][:20],
        }
        if options or (text and ctx.port is not None and ctx.port.port == 23) or b"login" in text.lower():
            how = "negotiates Telnet options" if options else "sends a banner"
            return outcome(
                finding(
                    "telnet",
                    Verdict.FAIL,
                    f"A Telnet service answers on {where(ctx)} ({how}): logins and commands would travel in clear.",
                    self.criteria,
                ),
                **fields,
            )
        if data:
            return outcome(
                finding(
                    "telnet",
                    Verdict.WARN,
                    f"{where(ctx)} accepts connections and sends data that is not Telnet negotiation.",
                    ("SBD-06.04",),
                ),
                **fields,
            )
        return outcome(
            finding(
                "telnet",
                Verdict.WARN,
                f"{where(ctx)} accepts connections but sent nothing within {ctx.timeout:g} s; Telnet not confirmed.",
                ("SBD-06.04",),
            ),
            **fields,
        )
