"""``tftp.service``: is TFTP enabled?

TFTP has no authentication at all (RFC 1350) and the guide asks that it be off (SBD-06.04).
The check asks for a file name that cannot exist. A TFTP server answers from a new port
(its transfer id), which a connected UDP socket would not receive; a closed port answers
with ICMP "port unreachable", which only a connected socket reports. So: first one request
on a connected flow (closed port: refused, done), then, if that stayed silent, one request
on an unconnected flow that accepts the reply from the server's transfer id. If a server
starts sending a file anyway, the check ends the transfer with an ERROR packet.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import TFTP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import WireError, tftp


class TftpService(CheckBase):
    """A read request for a file that does not exist."""

    id: ClassVar[str] = "tftp.service"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "TFTP disabled"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (TFTP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(69, Transport.UDP, TFTP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ("SBD-06.04",)
    sends: ClassVar[str] = (
        f"A TFTP read request for '{tftp.PROBE_FILE}' (octet mode) to {{port}}, at most twice "
        "(connected, then unconnected to receive the reply from the server's transfer port); "
        "an ERROR packet if the server starts a transfer."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(max_connections=2, max_packets=3, timeout_s=2 * (p.min_gap_s + p.read_timeout_s) + 5)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        async with await ctx.udp() as flow:
            await flow.send(tftp.read_request())
            # ICMP "port unreachable" comes back within a round trip; a server's reply would
            # come from its transfer port, which this connected flow cannot receive anyway.
            answer = await flow.receive(min(ctx.timeout, 1.0))
            refused = flow.refused
        if refused:
            return outcome(
                finding(
                    "tftp",
                    Verdict.PASS,
                    f"{where(ctx)} is closed (port unreachable): TFTP is off.",
                    self.criteria,
                )
            )
        if answer is None:
            async with await ctx.udp(connected=False) as flow:
                await flow.send(tftp.read_request(), port=ctx.port_number)
                answer = await flow.receive(ctx.timeout)
                if answer is not None:
                    try:
                        packet = tftp.parse(answer[0])
                    except WireError:
                        packet = None
                    if packet is not None and packet.opcode in (tftp.DATA, tftp.OACK):
                        await flow.send(tftp.error(), port=answer[1][1])
        if answer is None:
            return outcome(
                finding(
                    "tftp",
                    Verdict.INDETERMINATE,
                    f"No answer from {where(ctx)}: TFTP neither confirmed nor ruled out.",
                    self.criteria,
                )
            )
        try:
            packet = tftp.parse(answer[0])
        except WireError as exc:
            return outcome(
                finding(
                    "tftp", Verdict.WARN, f"{where(ctx)} answered, but not with TFTP ({exc}).", self.criteria
                )
            )
        kind = {tftp.ERROR: "ERROR", tftp.DATA: "DATA", tftp.OACK: "OACK", tftp.ACK: "ACK"}.get(
            packet.opcode, str(packet.opcode)
        )
        detail = f"{kind} {packet.code or ''} {packet.message or ''}".strip()
        return outcome(
            finding(
                "tftp",
                Verdict.FAIL,
                f"A TFTP server answers on {where(ctx)} (from port {answer[1][1]}: {detail}): unauthenticated file transfer is on.",
                self.criteria,
            ),
            reply=detail,
            transfer_port=answer[1][1],
        )
