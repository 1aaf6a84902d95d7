"""``snmp.v3_discovery``: SNMPv3 engine discovery (RFC 3414 section 4), without credentials.

The agent's answer (a Report) names its authoritative engine ID (often carrying the vendor's
IANA enterprise number), its boot counter and engine time. The watch uses the same request
to notice restarts without any credential.
"""

from __future__ import annotations

import os
from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.interface import SNMP, CheckBase, CheckContext, CheckOutcome, finding, outcome, where
from otvet.probe.wire import WireError, snmp


class SnmpV3Discovery(CheckBase):
    """One engine-discovery request."""

    id: ClassVar[str] = "snmp.v3_discovery"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "SNMPv3 engine discovery"
    category: ClassVar[Category] = Category.SAFE
    protocols: ClassVar[tuple[str, ...]] = (SNMP,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(161, Transport.UDP, SNMP, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ()
    sends: ClassVar[str] = (
        "One UDP datagram to {port}: an SNMPv3 GetRequest with empty engine ID and user (noAuthNoPriv, reportable)."
    )

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(max_connections=1, max_packets=1, timeout_s=p.min_gap_s + p.read_timeout_s + 5)

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        ids = int.from_bytes(os.urandom(3), "big")
        async with await ctx.udp() as flow:
            await flow.send(snmp.discovery_request(ids, ids + 1))
            answer = await flow.receive(ctx.timeout)
            refused = flow.refused
        if refused:
            return outcome(
                finding("v3", Verdict.PASS, f"No SNMP agent on {where(ctx)} (port unreachable).", ())
            )
        if answer is None:
            return outcome(
                finding("v3", Verdict.INDETERMINATE, f"No answer from {where(ctx)} to SNMPv3 discovery.", ())
            )
        try:
            message = snmp.parse(answer[0])
        except WireError as exc:
            return outcome(
                finding("v3", Verdict.WARN, f"{where(ctx)} answered, but not with SNMPv3 ({exc}).", ())
            )
        engine = message.engine_id or b""
        enterprise = snmp.enterprise_of(engine)
        fields = {
            "pdu": message.pdu_name,
            "engine_id": engine.hex(),
            "enterprise": enterprise,
            "engine_boots": message.engine_boots,
            "engine_time": message.engine_time,
        }
        return outcome(
            finding(
                "v3",
                Verdict.PASS,
                f"The agent on {where(ctx)} speaks SNMPv3 (engine {engine.hex() or '?'}"
                + (f", enterprise {enterprise}" if enterprise is not None else "")
                + f", {message.engine_boots} boot(s)).",
                (),
            ),
            **fields,
        )
