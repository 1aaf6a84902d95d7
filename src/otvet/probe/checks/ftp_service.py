"""``ftp.service``: is FTP enabled?

FTP sends credentials and files in clear (SBD-06.04). The check reads the greeting
(RFC 959: "220" when ready) and says goodbye with QUIT.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.checks.common import ftp_next
from otvet.probe.interface import FTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where


class FtpService(CheckBase):
    """Reads the FTP greeting."""

    id: ClassVar[str] = "ftp.service"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "FTP disabled"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (FTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(21, Transport.TCP, FTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04", "SBD-07.06")
    sends: ClassVar[str] = (
        "One TCP connection to {port}: read the greeting, send 'QUIT', read the reply, FIN."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=1,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 2 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except ConnectionRefusedError:
            return outcome(
                finding(
                    "ftp",
                    Verdict.PASS,
                    f"Nothing listens on {where(ctx)} (connection refused): FTP is off.",
                    ("SBD-06.04",),
                )
            )
        except TimeoutError:
            return outcome(
                finding(
                    "ftp",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer the connection attempt.",
                    ("SBD-06.04",),
                )
            )
        try:
            greeting = await ftp_next(conn, ctx.timeout)
            if greeting is not None:
                await conn.send(b"QUIT\r\n")
                await ftp_next(conn, ctx.timeout)
        finally:
            await conn.close()
        if greeting is None:
            return outcome(
                finding(
                    "ftp",
                    Verdict.WARN,
                    f"{where(ctx)} accepts connections but sent no FTP greeting.",
                    ("SBD-06.04",),
                )
            )
        fields = {"greeting": f"{greeting.code} {greeting.text}"}
        if greeting.code in (220, 120):
            return outcome(
                finding(
                    "ftp",
                    Verdict.FAIL,
                    f"An FTP service answers on {where(ctx)} ('{greeting.code} {greeting.text[:80]}'): credentials and files would travel in clear.",
                    self.criteria,
                ),
                **fields,
            )
        return outcome(
            finding(
                "ftp",
                Verdict.WARN,
                f"{where(ctx)} answers like FTP but refuses service ({greeting.code}).",
                ("SBD-06.04",),
            ),
            **fields,
        )
