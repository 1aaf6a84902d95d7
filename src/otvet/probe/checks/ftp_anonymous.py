"""``ftp.anonymous``: does the FTP server let anyone in? (authentication attempt: needs ``--auth``)

An anonymous login (RFC 1635) is access without a credential (SBD-06.01). One attempt.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.checks.common import ftp_next
from otvet.probe.interface import FTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where

ANONYMOUS_PASSWORD = b"otvet-probe@example.invalid"


class FtpAnonymous(CheckBase):
    """One anonymous FTP login attempt."""

    id: ClassVar[str] = "ftp.anonymous"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "No anonymous FTP login"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (FTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(21, Transport.TCP, FTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.01",)
    sends: ClassVar[str] = (
        "One TCP connection to {port}: 'USER anonymous', 'PASS otvet-probe@example.invalid', 'QUIT'; one attempt."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=3,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 4 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            conn = await ctx.connect()
        except (ConnectionRefusedError, TimeoutError):
            return outcome(
                finding(
                    "anonymous",
                    Verdict.PASS,
                    f"No FTP service on {where(ctx)}.",
                    self.criteria,
                    conclusive=False,
                )
            )
        try:
            greeting = await ftp_next(conn, ctx.timeout)
            if greeting is None or greeting.code != 220:
                return outcome(
                    finding(
                        "anonymous",
                        Verdict.INDETERMINATE,
                        f"{where(ctx)} sent no FTP greeting.",
                        self.criteria,
                    )
                )
            await conn.send(b"USER anonymous\r\n")
            user = await ftp_next(conn, ctx.timeout)
            result = user
            if user is not None and user.code == 331:
                await conn.send(b"PASS " + ANONYMOUS_PASSWORD + b"\r\n")
                result = await ftp_next(conn, ctx.timeout)
            if result is not None and result.code < 400:
                await conn.send(b"QUIT\r\n")
                await ftp_next(conn, ctx.timeout)
        finally:
            await conn.close()
        if result is None:
            return outcome(
                finding(
                    "anonymous",
                    Verdict.INDETERMINATE,
                    f"{where(ctx)} did not answer the login attempt.",
                    self.criteria,
                )
            )
        fields = {"reply": f"{result.code} {result.text[:120]}"}
        if result.code == 230:
            return outcome(
                finding(
                    "anonymous",
                    Verdict.FAIL,
                    f"The FTP server on {where(ctx)} accepted an anonymous login.",
                    self.criteria,
                ),
                **fields,
            )
        return outcome(
            finding(
                "anonymous",
                Verdict.PASS,
                f"The FTP server on {where(ctx)} refused an anonymous login ({result.code}).",
                self.criteria,
                conclusive=False,
            ),
            **fields,
        )
